import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { article, isTerminal } from '../support/tasks';

let stack: TestStack;
const INTERVAL_S = 3;

beforeAll(async () => {
  stack = await bootStack({ workers: 1, serverEnv: { USER_MAX_RUNNING: '4', ACCOUNT_MIN_INTERVAL_S: String(INTERVAL_S) } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('account pacing', () => {
  it('leaves ACCOUNT_MIN_INTERVAL_S between two publishes of one account, while another account goes at once', async () => {
    const user = await User.register(stack.urls.app);
    const paced = await user.sandboxAccount();
    const free = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const a = await user.api.task.createBatch.mutate({ accountId: paced.id, articles: [0, 1, 2].map((i) => article(i)) });
    const { taskId: b } = await user.api.task.create.mutate({ accountId: free.id, title: '另一个账号', content: 'x' });
    const ids = a.created.map((c) => c.taskId);
    await rec.until((es) => [...ids, b].every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 120_000, 'all to end');
    rec.stop();
    const starts = ids.map((id) => Date.parse(rec.of(id).find((e) => e.stage === 'browser')?.at ?? '')).sort((x, y) => x - y);
    for (let i = 1; i < starts.length; i++) expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(INTERVAL_S * 1000 - 300);
    // The other account's task did not wait behind the paced ones.
    const bStart = Date.parse(rec.of(b).find((e) => e.stage === 'browser')?.at ?? '');
    expect(bStart).toBeLessThan(starts[1] ?? 0);
    expect(ids.map((id) => rec.of(id).at(-1)?.status)).toEqual(['success', 'success', 'success']);
  });
});

describe('account pacing across a server restart', () => {
  const LONG_S = 15;
  let paced: TestStack;

  beforeAll(async () => {
    paced = await bootStack({ workers: 1, serverEnv: { ACCOUNT_MIN_INTERVAL_S: String(LONG_S) } });
  });
  afterAll(async () => {
    await paced?.stop();
  });

  const browserAt = async (user: User, id: string) => {
    const task = await user.api.task.byId.query({ id });
    return Date.parse(task.events.find((e) => e.stage === 'browser')?.at ?? '');
  };

  it('a new leader still waits the interval after the last publish of the account', async () => {
    const user = await User.register(paced.urls.app);
    const account = await user.sandboxAccount();
    const { taskId: first } = await user.api.task.create.mutate({ accountId: account.id, title: '重启前', content: 'x' });
    await expect.poll(async () => (await user.api.task.byId.query({ id: first })).status, { timeout: 60_000, interval: 200 }).toBe('success');
    // The server that paced the account goes away; a fresh one (no memory of it) takes over.
    await paced.server.stop({ graceMs: 5000 });
    await paced.server.restart();
    const { taskId: second } = await user.api.task.create.mutate({ accountId: account.id, title: '重启后', content: 'x' });
    await expect.poll(async () => (await user.api.task.byId.query({ id: second })).status, { timeout: 60_000, interval: 200 }).toBe('success');
    const gap = (await browserAt(user, second)) - (await browserAt(user, first));
    expect(gap).toBeGreaterThanOrEqual(LONG_S * 1000 - 300);
    expect(await paced.sandboxApi.articles(account.name)).toHaveLength(2);
  });
});
