/**
 * Bad input bounces: for every mutation of the API, malformed and oversized requests (bad JSON,
 * wrong types, unknown fields, values over their bounds, bodies over MAX_BODY_BYTES) get a 4xx
 * that says what is wrong, and every stored document stays exactly as it was. Then one good
 * call shows the same check would have seen a change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { answer, getTrpc, postTrpc, procedures, settledSnapshot, snapshot, uniqueEmail, type RawAnswer } from './helpers';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const PASSWORD = 'correct horse battery';
const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const ID = '0123456789abcdef01234567';

let stack: TestStack;
let alice: User;
let aliceEmail: string;
let accountId: string;
let spareAccountId: string;
/** Scheduled a day ahead: waits, untouched unless a test means to touch it. */
let waitingTaskId: string;
let secondWaitingTaskId: string;
let thirdWaitingTaskId: string;
let cancelledTaskId: string;
let secondCancelledTaskId: string;
/** Alice's tokens: one to revoke, and her name for the valid create. */
let tokenId: string;
/** Cancelled too, to be removed. */
let removableTaskId: string;
let secondRemovableTaskId: string;

beforeAll(async () => {
  stack = await bootStack({
    workers: 0,
    // Nothing in the background may touch the database while a battery runs.
    serverEnv: { RECONCILE_QUEUED_GRACE_MS: '600000', MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
  });
  aliceEmail = uniqueEmail();
  alice = new User(stack.urls.app);
  await alice.api.auth.register.mutate({ email: aliceEmail, password: PASSWORD });
  accountId = (await alice.sandboxAccount()).id;
  spareAccountId = (await alice.sandboxAccount()).id;
  const waiting = () => alice.api.task.create.mutate({ accountId, title: '等待', content: '正文', scheduledAt: later(1) });
  waitingTaskId = (await waiting()).taskId;
  secondWaitingTaskId = (await waiting()).taskId;
  thirdWaitingTaskId = (await waiting()).taskId;
  cancelledTaskId = (await waiting()).taskId;
  secondCancelledTaskId = (await waiting()).taskId;
  removableTaskId = (await waiting()).taskId;
  secondRemovableTaskId = (await waiting()).taskId;
  await alice.api.task.cancelMany.mutate({ ids: [cancelledTaskId, secondCancelledTaskId, removableTaskId, secondRemovableTaskId] });
  tokenId = (await alice.api.token.create.mutate({ name: 'to revoke', password: PASSWORD })).id;
});

afterAll(async () => {
  await stack?.stop();
});

interface Case {
  what: string;
  /** Sent as JSON, or as is when a string. */
  body: unknown;
  message: RegExp;
  status?: number;
}

interface Spec {
  /** Specific ways to get this input wrong. */
  cases: () => Case[];
  /** A well-formed input (also the base of the unknown-field case). */
  valid: () => unknown;
  /** Who sends it: alice, or a new user of its own (for calls that end or change a session). */
  fresh?: boolean;
  /** Run the valid call at the end and expect a change (false when it needs a worker). */
  run?: boolean;
}

const big = (n: number, ch = 'a') => ch.repeat(n);
const ids = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(24, '0'));

const authCases = (): Case[] => [
  { what: 'wrong types', body: { email: 42, password: ['x'] }, message: /email: .*expected string.*; password: .*expected string/ },
  { what: 'a missing field', body: { email: 'someone@example.com' }, message: /password: .*expected string/ },
  { what: 'an email over 254 characters', body: { email: `${big(250)}@example.com`, password: PASSWORD }, message: /email: Email must be at most 254 characters/ },
  { what: 'a password over 256 characters', body: { email: 'someone@example.com', password: big(257) }, message: /password: Password must be at most 256 characters/ },
  { what: 'a short password', body: { email: 'someone@example.com', password: 'short' }, message: /password: Password must be at least 8 characters/ },
  { what: 'not an email', body: { email: 'not an email', password: PASSWORD }, message: /email: Enter a valid email address/ },
];

const idCases = (): Case[] => [
  { what: 'an id that is not one', body: { id: 'nope' }, message: /id: Expected a 24-character hexadecimal id/ },
  { what: 'an id of the wrong type', body: { id: 12 }, message: /id: .*expected string/ },
  { what: 'no id', body: {}, message: /id: .*expected string/ },
  { what: 'an id with an injected operator', body: { id: { $ne: null } }, message: /id: .*expected string/ },
];

const idsCases = (): Case[] => [
  { what: 'no ids', body: { ids: [] }, message: /ids: Select at least one task/ },
  { what: '501 ids', body: { ids: ids(501) }, message: /ids: .*500/ },
  { what: 'a bad id', body: { ids: ['x'] }, message: /ids.0: Expected a 24-character hexadecimal id/ },
  { what: 'ids of the wrong type', body: { ids: 'x' }, message: /ids: .*expected array/ },
];

const article = (over: Record<string, unknown> = {}) => ({ accountId, title: '标题', content: '正文', scheduledAt: later(1), ...over });

const SPECS: Record<string, Spec> = {
  'auth.register': { cases: authCases, valid: () => ({ email: uniqueEmail(), password: PASSWORD }) },
  'auth.login': { cases: authCases, valid: () => ({ email: aliceEmail, password: PASSWORD }) },
  'auth.logout': {
    cases: () => [{ what: 'any input at all', body: { everything: true }, message: /logout takes no input/ }],
    valid: () => undefined,
    fresh: true,
  },
  'auth.changePassword': {
    cases: () => [
      { what: 'wrong types', body: { currentPassword: 1, newPassword: null }, message: /currentPassword: .*expected string/ },
      { what: 'a short new password', body: { currentPassword: PASSWORD, newPassword: 'short' }, message: /newPassword: Password must be at least 8/ },
      { what: 'a new password over 256 characters', body: { currentPassword: PASSWORD, newPassword: big(257) }, message: /newPassword: Password must be at most 256/ },
      { what: 'a current password over 256 characters', body: { currentPassword: big(257), newPassword: 'a new password' }, message: /currentPassword: .*256/ },
    ],
    valid: () => ({ currentPassword: PASSWORD, newPassword: 'a brand new password' }),
    fresh: true,
  },
  'account.create': {
    cases: () => [
      { what: 'an unknown platform', body: { platform: 'weibo', name: 'x', cookies: 'z_c0=a' }, message: /platform: Invalid option/ },
      { what: 'a name over 60 characters', body: { platform: 'sandbox', name: big(61), cookies: 'z_c0=a' }, message: /name: Account name must be at most 60 characters/ },
      { what: 'an empty name', body: { platform: 'sandbox', name: '   ', cookies: 'z_c0=a' }, message: /name: Give the account a name/ },
      { what: 'cookies over 16 KB', body: { platform: 'sandbox', name: 'x', cookies: `z_c0=sandbox-x; big=${big(16 * 1024)}` }, message: /cookies: Cookies must be at most 16384 bytes/ },
      { what: 'text that is not cookies', body: { platform: 'sandbox', name: 'x', cookies: 'hello there' }, message: /z_c0|cookie/i },
      { what: 'cookies of the wrong type', body: { platform: 'sandbox', name: 'x', cookies: { z_c0: 'a' } }, message: /cookies: .*expected string/ },
    ],
    valid: () => ({ platform: 'sandbox', name: 'valid', cookies: 'z_c0=sandbox-valid' }),
  },
  'account.updateCookies': {
    cases: () => [
      ...idCases().map((c) => ({ ...c, body: { ...(c.body as object), cookies: 'z_c0=sandbox-x' } })),
      { what: 'cookies over 16 KB', body: { id: accountId, cookies: `z_c0=sandbox-x; big=${big(16 * 1024)}` }, message: /cookies: Cookies must be at most 16384 bytes/ },
      { what: 'text that is not cookies', body: { id: accountId, cookies: 'hello there' }, message: /z_c0|cookie/i },
      { what: 'no cookies', body: { id: accountId }, message: /cookies: .*expected string/ },
    ],
    valid: () => ({ id: accountId, cookies: 'z_c0=sandbox-renewed' }),
  },
  'account.remove': { cases: idCases, valid: () => ({ id: spareAccountId }) },
  'account.verify': { cases: idCases, valid: () => ({ id: accountId }), run: false },
  'task.create': {
    cases: () => [
      { what: 'a title over 100 characters', body: article({ title: big(101, '长') }), message: /title: Title must be at most 100 characters/ },
      { what: 'an empty title', body: article({ title: '  ' }), message: /title: Title is empty/ },
      { what: 'a body over 1 MB', body: article({ content: big(1_000_001) }), message: /content: Body must be at most 1000000 bytes/ },
      { what: 'four topics', body: article({ topics: ['a', 'b', 'c', 'd'] }), message: /topics: At most 3 topics/ },
      { what: 'a topic over 50 characters', body: article({ topics: [big(51)] }), message: /topics.0: A topic must be at most 50/ },
      { what: 'an unknown priority', body: article({ priority: 'urgent' }), message: /priority: Invalid option/ },
      { what: 'a schedule that is not a date', body: article({ scheduledAt: 'tomorrow' }), message: /scheduledAt: scheduledAt must be an ISO 8601 date-time/ },
      { what: 'a schedule two years ahead', body: article({ scheduledAt: later(730) }), message: /scheduledAt: scheduledAt must be within a year/ },
      { what: 'a bad account id', body: article({ accountId: 'x' }), message: /accountId: Expected a 24-character hexadecimal id/ },
      { what: 'a title of the wrong type', body: article({ title: 5 }), message: /title: .*expected string/ },
      { what: 'an article id that is too short', body: article({ articleId: '12345' }), message: /articleId: A Zhihu article id is the 15-20 digits/ },
      { what: 'an article id given as a number', body: article({ articleId: 123456789012345 }), message: /articleId: .*expected string/ },
      { what: 'an unknown mode', body: article({ mode: 'later' }), message: /mode: Invalid option/ },
    ],
    valid: () => article({ articleId: '123456789012345', mode: 'draft' }),
  },
  'task.createBatch': {
    cases: () => [
      { what: '501 articles', body: { accountId, articles: Array.from({ length: 501 }, () => ({ title: 't', content: 'c' })) }, message: /articles: A batch holds at most 500 articles/ },
      { what: 'no articles', body: { accountId, articles: [] }, message: /articles: The batch is empty/ },
      { what: 'articles of the wrong type', body: { accountId, articles: 'many' }, message: /articles: .*expected array/ },
      { what: 'a bad account id', body: { accountId: 'x', articles: [{ title: 't', content: 'c' }] }, message: /accountId: Expected a 24-character/ },
    ],
    valid: () => ({ accountId, articles: [{ title: '一', content: '一', scheduledAt: later(1) }, { title: '二', content: '二', scheduledAt: later(1) }] }),
  },
  'task.cancel': { cases: idCases, valid: () => ({ id: waitingTaskId }) },
  'token.create': {
    cases: () => [
      { what: 'an empty name', body: { name: '  ', password: PASSWORD }, message: /name: Give the token a name/ },
      { what: 'a name over 60 characters', body: { name: big(61), password: PASSWORD }, message: /name: A token name must be at most 60 characters/ },
      { what: 'no password', body: { name: 'ci' }, message: /password: .*expected string/ },
      { what: 'a password over 256 characters', body: { name: 'ci', password: big(257) }, message: /password: Password must be at most 256/ },
      { what: 'a wrong password', body: { name: 'ci', password: 'not the password' }, message: /^The password is wrong$/ },
    ],
    valid: () => ({ name: 'ci', password: PASSWORD }),
  },
  'token.revoke': { cases: idCases, valid: () => ({ id: tokenId }) },
  'task.cancelMany': { cases: idsCases, valid: () => ({ ids: [secondWaitingTaskId] }) },
  'task.reschedule': {
    cases: () => [
      { what: 'a schedule that is not a date', body: { id: ID, scheduledAt: 'soon' }, message: /scheduledAt: scheduledAt must be an ISO 8601/ },
      { what: 'a schedule two years ahead', body: { id: ID, scheduledAt: later(730) }, message: /scheduledAt: scheduledAt must be within a year/ },
      { what: 'no schedule', body: { id: ID }, message: /scheduledAt: / },
      { what: 'a bad id', body: { id: 'x', scheduledAt: null }, message: /id: Expected a 24-character/ },
    ],
    valid: () => ({ id: thirdWaitingTaskId, scheduledAt: later(2) }),
  },
  'task.remove': { cases: idCases, valid: () => ({ id: removableTaskId }) },
  'task.removeMany': { cases: idsCases, valid: () => ({ ids: [secondRemovableTaskId] }) },
  // Last: a retried task goes back to the dispatcher.
  'task.retry': { cases: idCases, valid: () => ({ id: cancelledTaskId }) },
  'task.retryMany': { cases: idsCases, valid: () => ({ ids: [secondCancelledTaskId] }) },
};

/** The ways every mutation can be got wrong, whatever its input. */
function genericCases(spec: Spec): Case[] {
  const valid = spec.valid();
  const withExtra = { ...(typeof valid === 'object' && valid !== null ? valid : {}), isAdmin: true };
  return [
    { what: 'JSON cut short', body: '{"id": "0123', message: /^The request body is not valid JSON$/ },
    { what: 'not JSON at all', body: '<xml/>', message: /^The request body is not valid JSON$/ },
    { what: 'an array instead of an object', body: [1, 2, 3], message: /expected object, received array|takes no input/ },
    { what: 'an unknown field', body: withExtra, message: /Unrecognized key: "isAdmin"|takes no input/ },
  ];
}

/** Alice, or a new user with the same password, for calls that end or change their session. */
async function sender(spec: Spec): Promise<User> {
  if (!spec.fresh) return alice;
  const u = new User(stack.urls.app);
  await u.api.auth.register.mutate({ email: uniqueEmail(), password: PASSWORD });
  return u;
}

describe('every mutation', () => {
  it('is listed here (a new mutation needs its bad inputs written down)', () => {
    const mutations = procedures().filter((p) => p.type === 'mutation').map((p) => p.path);
    expect(mutations.filter((m) => !(m in SPECS))).toEqual([]);
    expect(mutations.length).toBeGreaterThanOrEqual(13);
  });

  const live = () => new Set(procedures().map((p) => p.path));

  it.each(Object.keys(SPECS))('%s refuses bad input with a 4xx that says what is wrong, and nothing is saved', async (path) => {
    if (!live().has(path)) return; // not built yet (account.verify comes with the account checks)
    const spec = SPECS[path];
    if (!spec) throw new Error(path);
    const who = await sender(spec);
    const db = await stack.db();
    const before = await settledSnapshot(db);

    for (const c of [...spec.cases(), ...genericCases(spec)]) {
      const res = await postTrpc(who, path, c.body);
      expect(res.status, `${path}: ${c.what}`).toBe(c.status ?? 400);
      expect(res.error?.message, `${path}: ${c.what}`).toMatch(c.message);
      expect(res.text, `${path}: ${c.what} must not leak a stack trace`).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }

    // Over MAX_BODY_BYTES: declared, refused before a byte is read; streamed without a length,
    // cut off once the limit is passed.
    const oversized = JSON.stringify({ padding: big(MAX_BODY_BYTES) });
    const declared = await postTrpc(who, path, oversized);
    expect(declared.status).toBe(413);
    expect(declared.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: `The request is larger than the ${MAX_BODY_BYTES}-byte limit` });
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES * 2) return controller.close();
        sent += 256 * 1024;
        controller.enqueue(new TextEncoder().encode(sent === 256 * 1024 ? `{"padding":"${big(256 * 1024 - 12)}` : big(256 * 1024)));
      },
    });
    const streamed = await postTrpc(who, path, stream);
    expect(streamed.status).toBe(413);
    expect(streamed.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'The request is too large' });

    expect(await snapshot(db), `${path}: the database changed`).toEqual(before);

    if (spec.run === false) return;
    // The good call goes through and the same comparison sees it.
    const ok = await postTrpc(who, path, spec.valid());
    expect(ok.status, `${path}: ${ok.text}`).toBe(200);
    expect(await settledSnapshot(db)).not.toEqual(before);
  });
});

describe('queries and the subscription', () => {
  it.each([
    ['task.list', { limit: 101 }, /limit: limit must be at most 100/],
    ['task.list', { limit: 0 }, /limit: /],
    ['task.list', { status: 'everything' }, /status: /],
    ['task.list', { cursor: big(1001) }, /cursor: /],
    ['task.list', { batchId: { $gt: '' } }, /batchId: /],
    ['task.list', { mine: false }, /Unrecognized key: "mine"/],
    ['task.byId', { id: 'x' }, /id: Expected a 24-character hexadecimal id/],
    ['stats.summary', { since: 'last week' }, /since: /],
  ] as const)('%s refuses %j', async (path, input, message) => {
    const res = await getTrpc(alice, path, input);
    expect(res.status).toBe(400);
    expect(res.error?.message).toMatch(message);
  });

  it('task.onUpdate refuses a bad lastEventId: the stream carries the error and ends', async () => {
    const res = await alice.fetch(`${stack.urls.trpc}/task.onUpdate?input=${encodeURIComponent(JSON.stringify({ lastEventId: big(65) }))}`, {
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    expect(text).toContain('event: serialized-error');
    expect(text).toMatch(/"message":"lastEventId: [^"]*64/);
    expect(text).toContain('"httpStatus":400');
  });

  it('refuses a request line too long to be a real query with a 4xx', async () => {
    const res = await getTrpc(alice, 'task.byId', { id: big(20_000) });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

/**
 * The CLI and scripts send one call per request (answered by apps/server/src/single-call.ts);
 * the web app sends batches (answered by tRPC's own handler). Both must give a caller the same
 * answer: the same status, and the same result or error, field for field.
 */
describe('one call, or a batch of one', () => {
  const single = (who: User, type: 'query' | 'mutation', path: string, input: unknown, raw?: string) =>
    type === 'query' ? getTrpc(who, path, input) : postTrpc(who, path, raw ?? input);
  async function batched(who: User, type: 'query' | 'mutation', path: string, input: unknown, raw?: string): Promise<RawAnswer> {
    if (type === 'query') {
      const q = input === undefined ? '' : `&input=${encodeURIComponent(JSON.stringify({ 0: input }))}`;
      return answer(await who.fetch(`${who.baseUrl}/trpc/${path}?batch=1${q}`));
    }
    return postTrpc(who, `${path}?batch=1`, raw === undefined ? { 0: input } : `{"0":${raw}}`);
  }
  const first = (a: RawAnswer) => (a.json as unknown[])[0];

  const cases: [what: string, type: 'query' | 'mutation', path: string, input: () => unknown][] = [
    ['a refused field', 'mutation', 'task.create', () => ({ accountId, title: '', content: '正文' })],
    ['an unknown field', 'mutation', 'task.create', () => ({ accountId, title: '标题', content: '正文', mine: true })],
    ['an account of nobody', 'mutation', 'task.create', () => ({ accountId: ID, title: '标题', content: '正文' })],
    ['a task of nobody', 'query', 'task.byId', () => ({ id: ID })],
    ['a bad limit', 'query', 'task.list', () => ({ limit: 0 })],
    ['a task of nobody to cancel', 'mutation', 'task.cancel', () => ({ id: ID })],
    ['no input where one is needed', 'mutation', 'task.cancel', () => undefined],
    ['who am I', 'query', 'auth.me', () => undefined],
    ['a list', 'query', 'task.list', () => ({ limit: 3, status: 'scheduled' })],
  ];
  it.each(cases)('%s: %s %s answers the same both ways', async (_what, type, path, input) => {
    const a = await single(alice, type, path, input());
    const b = await batched(alice, type, path, input());
    expect(a.status, a.text).toBe(b.status);
    expect(a.json).toEqual(first(b));
  });

  it('a body that is not JSON, and a caller who is not signed in, are refused the same both ways', async () => {
    const a = await single(alice, 'mutation', 'task.create', undefined, '{"accountId":');
    const b = await batched(alice, 'mutation', 'task.create', undefined, '{"accountId":');
    expect(a.status).toBe(400);
    expect(b.status).toBe(400);
    expect(a.error?.message).toBe('The request body is not valid JSON');
    expect(first(b)).toMatchObject({ error: { message: 'The request body is not valid JSON' } });
    const stranger = new User(stack.urls.app);
    const c = await single(stranger, 'mutation', 'task.create', { accountId, title: '标题', content: '正文' });
    const d = await batched(stranger, 'mutation', 'task.create', { accountId, title: '标题', content: '正文' });
    expect(c.status).toBe(401);
    expect(c.json).toEqual(first(d));
  });

  it('a good create is answered the same way both ways, and both tasks are stored', async () => {
    const input = { accountId, title: '两条路', content: '正文', scheduledAt: later(2) };
    const a = await single(alice, 'mutation', 'task.create', input);
    const b = await batched(alice, 'mutation', 'task.create', input);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const ids = [a.json, first(b)].map((j) => (j as { result: { data: { taskId: string; status: string } } }).result.data);
    for (const d of ids) expect(d).toEqual({ taskId: expect.stringMatching(/^[a-f0-9]{24}$/), status: 'pending' });
    for (const d of ids) expect((await alice.api.task.byId.query({ id: d.taskId })).title).toBe('两条路');
  });
});
