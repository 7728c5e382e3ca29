/**
 * The live state of every task, and the only place it changes: a compare-and-set in a Redis Lua
 * script that also appends the event to the `events` stream, so the stream order is exactly the
 * order in which states changed. MongoDB holds the durable projection of this (see projector).
 * Every event also marks its task in the `changed` set (by time), so a stretch of the stream that
 * was trimmed before it was projected can be repaired from the live states (docs/state.md).
 */
import { createHash } from 'node:crypto';
import type { TaskError } from '../errors';
import type { EvidenceView, Stage, TaskResult, TaskSummary } from '../events';
import { STAGES, eventIdFromStreamId } from '../events';
import { TERMINAL_STATUSES, type TaskStatus } from '../task';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis';
import type { TaskDoc } from './models';


export interface LiveState {
  taskId: string;
  userId: string;
  accountId: string;
  status: TaskStatus;
  attempt: number;
  v: number;
  progress: number;
  stage: Stage;
  stalls: number;
  jobId: string;
  submittedAt: string;
  /** The fencing token of the attempt's claim ('' when no attempt holds the task). */
  token: string;
  /** JSON of the current error and result ('' when none): what a repair writes back. */
  error: string;
  result: string;
}

/**
 * A live state rebuilt from MongoDB (or re-versioned after Redis lost writes) continues its
 * versions this far above what MongoDB holds: MongoDB may lag the stream by a few events, and a
 * version an index or a subscriber has already seen must never be issued again.
 */
export const VERSION_STRIDE = 1 << 20;

/** The live state a saved task describes: what goes back into Redis when Redis lost it. */
export function liveStateOf(doc: TaskDoc): Omit<LiveState, 'stalls' | 'jobId' | 'token'> {
  return {
    taskId: doc._id.toString(),
    userId: doc.userId.toString(),
    accountId: doc.accountId.toString(),
    status: doc.status,
    attempt: doc.attempt,
    v: doc.v,
    progress: doc.progress,
    stage: doc.stage,
    submittedAt: doc.submittedAt ? String(doc.submittedAt.getTime()) : '',
    error: doc.error?.code ? JSON.stringify({ code: doc.error.code, message: doc.error.message, retryable: doc.error.retryable }) : '',
    result: doc.result?.url ? JSON.stringify({ url: doc.result.url, articleId: doc.result.articleId }) : '',
  };
}

export interface TransitionSpec {
  /** The states this change may start from (the compare part of compare-and-set). */
  from: readonly TaskStatus[];
  to: TaskStatus;
  /** When set, the change applies only to this attempt: the fence against stale workers. */
  attempt?: number | undefined;
  /** When set, the change applies only if nothing else changed the task since version `v`. */
  v?: number | undefined;
  /** When set, the change applies only while this claim's fencing token holds the task. */
  token?: string | undefined;
  /** Re-announces the task's summary (e.g. after a reschedule). */
  task?: TaskSummary | undefined;
  stage: Stage;
  progress?: number | undefined;
  message?: string | undefined;
  error?: TaskError | undefined;
  result?: TaskResult | undefined;
  evidence?: EvidenceView | undefined;
  /** Extra live fields (e.g. jobId, submittedAt). */
  set?: Partial<Record<'jobId' | 'submittedAt' | 'workerId', string>>;
  /** Start a new attempt (`attempt + 1`). */
  newAttempt?: boolean;
}

export type TransitionResult =
  | { ok: true; eventId: string; v: number; attempt: number; from: TaskStatus; progress: number }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'conflict'; status: TaskStatus; attempt: number };

export type RemoveResult =
  | { ok: true; eventId: string; v: number; attempt: number; status: TaskStatus }
  | { ok: false; reason: 'missing' | 'removed' }
  | { ok: false; reason: 'conflict'; status: TaskStatus };

export type ClaimResult =
  | { ok: true; eventId: string; attempt: number; v: number; submittedAt: string; stalls: number }
  | { ok: false; reason: 'missing' | 'stale-job' }
  | { ok: false; reason: 'not-claimable'; status: TaskStatus }
  | { ok: false; reason: 'stall-limit'; eventId: string };

// Event JSON is assembled from a fixed head (values the script decides) and a tail that the caller
// serialised, so arrays and nested objects never pass through cjson.
const HEAD = `
local function event(st, att, v, progress, stage, rest)
  local head = '{"taskId":"' .. ARGV[1] .. '","userId":"' .. st.userId .. '","attempt":' .. att ..
    ',"v":' .. v .. ',"status":"' .. st.status .. '","progress":' .. progress .. ',"stage":"' .. stage .. '"'
  if rest ~= '' then head = head .. ',' .. rest end
  local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', head .. '}')
  redis.call('ZADD', KEYS[3], tonumber(string.match(id, '^(%d+)')), ARGV[1])
  return id
end
local function terminal(s)
  return s == 'success' or s == 'failed' or s == 'cancelled' or s == 'unconfirmed'
end
local function expiry(s)
  if terminal(s) then redis.call('EXPIRE', KEYS[1], ARGV[3]) else redis.call('PERSIST', KEYS[1]) end
end
`;

// ARGV: 1 taskId, 2 maxlen, 3 ttl, 4 userId, 5 accountId, 6 stage, 7 rest
const CREATE = `${HEAD}
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
redis.call('HSET', KEYS[1], 'userId', ARGV[4], 'accountId', ARGV[5], 'status', 'pending', 'attempt', 0, 'v', 0,
  'progress', 0, 'stage', ARGV[6], 'stalls', 0, 'jobId', '', 'submittedAt', '')
return event({ userId = ARGV[4], status = 'pending' }, 0, 0, 0, ARGV[6], ARGV[7])
`;

// ARGV: 1 taskId, 2 maxlen, 3 ttl, 4 from (comma list), 5 attempt or '', 6 to, 7 newAttempt 0/1,
//       8 progress or '', 9 stage, 10 rest, 11 version or '', 12 token or '', 13.. field/value pairs
const TRANSITION = `${HEAD}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'progress', 'token')
if not h[1] then return {-1} end
local status, att, v = h[1], tonumber(h[2]), tonumber(h[3])
local allowed = false
for s in string.gmatch(ARGV[4], '[^,]+') do if s == status then allowed = true end end
if not allowed or (ARGV[5] ~= '' and tonumber(ARGV[5]) ~= att) or (ARGV[11] ~= '' and tonumber(ARGV[11]) ~= v)
  or (ARGV[12] ~= '' and h[6] ~= ARGV[12]) then
  return {0, status, att}
end
if ARGV[7] == '1' then att = att + 1 end
v = v + 1
local progress = ARGV[8]
if progress == '' then progress = h[5] end
redis.call('HSET', KEYS[1], 'status', ARGV[6], 'attempt', att, 'v', v, 'progress', progress, 'stage', ARGV[9])
for i = 13, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
expiry(ARGV[6])
local id = event({ userId = h[4], status = ARGV[6] }, att, v, progress, ARGV[9], ARGV[10])
return {1, id, v, att, status, tonumber(progress)}
`;

// ARGV: 1 taskId, 2 maxlen, 3 ttl, 4 jobId, 5 workerId, 6 stall limit, 7 rest (claim), 8 rest (stall failure),
//       9 the claim's fencing token, 10 the stall error's JSON
const CLAIM = `${HEAD}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'stalls', 'jobId', 'submittedAt')
if not h[1] then return {-1} end
local status, att, v, stalls = h[1], tonumber(h[2]), tonumber(h[3]), tonumber(h[5])
if h[6] ~= ARGV[4] then return {-2} end
if status ~= 'queued' and status ~= 'running' then return {0, status} end
v = v + 1
if status == 'running' then
  -- The job came back while the task was running: its worker stopped renewing the lock.
  stalls = stalls + 1
  if stalls > tonumber(ARGV[6]) then
    redis.call('HSET', KEYS[1], 'status', 'failed', 'v', v, 'stalls', stalls, 'progress', 100, 'stage', 'failed', 'token', '',
      'error', ARGV[10])
    expiry('failed')
    return {2, event({ userId = h[4], status = 'failed' }, att, v, 100, 'failed', ARGV[8])}
  end
end
att = att + 1
redis.call('HSET', KEYS[1], 'status', 'running', 'attempt', att, 'v', v, 'stalls', stalls, 'progress', 10,
  'stage', 'browser', 'workerId', ARGV[5], 'token', ARGV[9])
redis.call('PERSIST', KEYS[1])
return {1, event({ userId = h[4], status = 'running' }, att, v, 10, 'browser', ARGV[7]), v, att, h[7], stalls}
`;

// ARGV: 1 taskId, 2 maxlen, 3 ttl, 4 rest. An ended task leaves a tombstone (no status, so every
// other script finds it missing, and ENSURE cannot rebuild it) and its last event.
const REMOVE = `${HEAD}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'progress', 'removed')
if h[6] then return {-2} end
if not h[1] then return {-1} end
if not terminal(h[1]) then return {0, h[1]} end
local v = tonumber(h[3]) + 1
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'removed', 1, 'userId', h[4])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, event({ userId = h[4], status = h[1] }, tonumber(h[2]), v, h[5], 'removed', ARGV[4]), v, tonumber(h[2]), h[1]}
`;

// ARGV: 1 taskId, then field/value pairs of a snapshot from MongoDB
const ENSURE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

// ARGV: 1 taskId, 2 maxlen, 3 ttl, 4 expected version, 5 new version, 6 rest. The state stays as it
// is; only its version jumps (see VERSION_STRIDE), announced by an event that carries the state.
const REVERSION = `${HEAD}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'progress', 'stage', 'error', 'result')
if not h[1] then return {-1} end
if tonumber(h[3]) ~= tonumber(ARGV[4]) then return {0} end
redis.call('HSET', KEYS[1], 'v', ARGV[5])
local rest = ARGV[6]
if h[7] and h[7] ~= '' then rest = rest .. ',"error":' .. h[7] end
if h[8] and h[8] ~= '' then rest = rest .. ',"result":' .. h[8] end
return {1, event({ userId = h[4], status = h[1] }, h[2], ARGV[5], h[5], h[6], rest)}
`;

class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
  async run(redis: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await redis.evalSha(this.sha, { keys, arguments: args });
    } catch (e) {
      if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
      return redis.eval(this.source, { keys, arguments: args });
    }
  }
}

const scripts = {
  create: new Script(CREATE),
  transition: new Script(TRANSITION),
  claim: new Script(CLAIM),
  ensure: new Script(ENSURE),
  remove: new Script(REMOVE),
  reversion: new Script(REVERSION),
};

/** Success fills the bar, a new start empties it, an ending that is not success leaves it where it stopped. */
function defaultProgress(spec: TransitionSpec): number | '' {
  if (spec.to === 'pending') return 0;
  if (spec.to === 'failed' || spec.to === 'cancelled' || spec.to === 'unconfirmed') return '';
  return STAGES[spec.stage];
}

/** The JSON members after the fixed head: `"a":1,"b":"x"` (no braces), or ''. */
function tail(fields: Record<string, unknown>): string {
  const json = JSON.stringify(fields);
  return json === '{}' ? '' : json.slice(1, -1);
}

export interface TaskStatesOptions {
  /** Events kept in the stream for resuming subscribers (approximate, trimmed by Redis). */
  streamMaxLen?: number;
  /** How long a finished task's live state stays in Redis; it is rebuilt from MongoDB on demand. */
  terminalTtlS?: number;
}

export class TaskStates {
  private readonly maxLen: string;
  private readonly ttl: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    opts: TaskStatesOptions = {},
  ) {
    this.maxLen = String(opts.streamMaxLen ?? 100_000);
    this.ttl = String(opts.terminalTtlS ?? 7 * 24 * 3600);
  }

  /** Registers new tasks as pending, one created event each; pipelined for batches. */
  async create(
    tasks: readonly { taskId: string; userId: string; summary: TaskSummary; stage?: Stage; message?: string }[],
  ): Promise<(string | null)[]> {
    const at = new Date().toISOString();
    const run = (t: (typeof tasks)[number]) =>
      scripts.create.run(
        this.redis,
        [this.keys.task(t.taskId), this.keys.events, this.keys.changed],
        [
          t.taskId,
          this.maxLen,
          this.ttl,
          t.userId,
          t.summary.accountId,
          t.stage ?? 'created',
          tail({ message: t.message, task: t.summary, at }),
        ],
      );
    // Scripts are loaded once by the first call, then the rest go out together.
    const first = tasks[0];
    if (!first) return [];
    const head = await run(first);
    const rest = await Promise.all(tasks.slice(1).map(run));
    return [head, ...rest].map((id) => (typeof id === 'string' ? eventIdFromStreamId(id) : null));
  }

  async transition(taskId: string, spec: TransitionSpec): Promise<TransitionResult> {
    const progress = spec.progress ?? defaultProgress(spec);
    const pairs = Object.entries({ ...spec.set, ...outcomeFields(spec) }).flatMap(([k, val]) => [k, val ?? '']);
    const res = (await scripts.transition.run(
      this.redis,
      [this.keys.task(taskId), this.keys.events, this.keys.changed],
      [
        taskId,
        this.maxLen,
        this.ttl,
        spec.from.join(','),
        spec.attempt === undefined ? '' : String(spec.attempt),
        spec.to,
        spec.newAttempt ? '1' : '0',
        String(progress),
        spec.stage,
        tail({ message: spec.message, error: spec.error, result: spec.result, task: spec.task, evidence: spec.evidence, at: new Date().toISOString() }),
        spec.v === undefined ? '' : String(spec.v),
        spec.token ?? '',
        ...pairs,
      ],
    )) as unknown[];
    const code = Number(res[0]);
    if (code === -1) return { ok: false, reason: 'missing' };
    if (code === 0) return { ok: false, reason: 'conflict', status: res[1] as TaskStatus, attempt: Number(res[2]) };
    return {
      ok: true,
      eventId: eventIdFromStreamId(String(res[1])),
      v: Number(res[2]),
      attempt: Number(res[3]),
      from: res[4] as TaskStatus,
      progress: Number(res[5]),
    };
  }

  /**
   * A worker takes a task for a new attempt. A job that comes back while the task is `running`
   * means its previous worker died: that counts as a stall, and past `stallLimit` the task fails.
   */
  async claim(taskId: string, jobId: string, workerId: string, stallLimit: number, stallError: TaskError, token: string): Promise<ClaimResult> {
    const at = new Date().toISOString();
    const res = (await scripts.claim.run(
      this.redis,
      [this.keys.task(taskId), this.keys.events, this.keys.changed],
      [
        taskId,
        this.maxLen,
        this.ttl,
        jobId,
        workerId,
        String(stallLimit),
        tail({ message: `started by worker ${workerId}`, at }),
        tail({ message: stallError.message, error: stallError, at }),
        token,
        JSON.stringify(stallError),
      ],
    )) as unknown[];
    const code = Number(res[0]);
    if (code === -1) return { ok: false, reason: 'missing' };
    if (code === -2) return { ok: false, reason: 'stale-job' };
    if (code === 0) return { ok: false, reason: 'not-claimable', status: res[1] as TaskStatus };
    if (code === 2) return { ok: false, reason: 'stall-limit', eventId: eventIdFromStreamId(String(res[1])) };
    return {
      ok: true,
      eventId: eventIdFromStreamId(String(res[1])),
      v: Number(res[2]),
      attempt: Number(res[3]),
      submittedAt: String(res[4] ?? ''),
      stalls: Number(res[5]),
    };
  }

  /**
   * Removes an ended task: its live state becomes a tombstone that no other change (a retry, a
   * late worker) can bring back, and the stream gets its last event, `removed`. A task that is
   * not ended is refused; `missing` means Redis no longer holds it (rebuild with ensure first).
   */
  async remove(taskId: string): Promise<RemoveResult> {
    const res = (await scripts.remove.run(
      this.redis,
      [this.keys.task(taskId), this.keys.events, this.keys.changed],
      [taskId, this.maxLen, this.ttl, tail({ message: 'removed by the user', removed: true, at: new Date().toISOString() })],
    )) as unknown[];
    const code = Number(res[0]);
    if (code === -1) return { ok: false, reason: 'missing' };
    if (code === -2) return { ok: false, reason: 'removed' };
    if (code === 0) return { ok: false, reason: 'conflict', status: res[1] as TaskStatus };
    return { ok: true, eventId: eventIdFromStreamId(String(res[1])), v: Number(res[2]), attempt: Number(res[3]), status: res[4] as TaskStatus };
  }

  async get(taskId: string): Promise<LiveState | null> {
    const h = await this.redis.hGetAll(this.keys.task(taskId));
    if (!h.status) return null;
    return {
      taskId,
      userId: h.userId ?? '',
      accountId: h.accountId ?? '',
      status: h.status as TaskStatus,
      attempt: Number(h.attempt ?? 0),
      v: Number(h.v ?? 0),
      progress: Number(h.progress ?? 0),
      stage: (h.stage ?? 'created') as Stage,
      stalls: Number(h.stalls ?? 0),
      jobId: h.jobId ?? '',
      submittedAt: h.submittedAt ?? '',
      token: h.token ?? '',
      error: h.error ?? '',
      result: h.result ?? '',
    };
  }

  /**
   * Rebuilds a live state from the durable projection when Redis no longer has it. Its version
   * continues VERSION_STRIDE above MongoDB's, and no claim holds it (a worker that still runs the
   * task can no longer write, and the reconciler hands the task back).
   */
  async ensure(snapshot: Omit<LiveState, 'stalls' | 'jobId' | 'token'> & { jobId?: string }): Promise<boolean> {
    const fields: Record<string, string> = {
      userId: snapshot.userId,
      accountId: snapshot.accountId,
      status: snapshot.status,
      attempt: String(snapshot.attempt),
      v: String(snapshot.v + VERSION_STRIDE),
      progress: String(snapshot.progress),
      stage: snapshot.stage,
      stalls: '0',
      jobId: snapshot.jobId ?? '',
      submittedAt: snapshot.submittedAt,
      token: '',
      error: snapshot.error,
      result: snapshot.result,
    };
    const res = await scripts.ensure.run(this.redis, [this.keys.task(snapshot.taskId)], [
      snapshot.taskId,
      ...Object.entries(fields).flat(),
    ]);
    if (Number(res) === 1 && TERMINAL_STATUSES.includes(snapshot.status)) {
      await this.redis.expire(this.keys.task(snapshot.taskId), Number(this.ttl));
    }
    return Number(res) === 1;
  }

  /**
   * Moves a task's version to `toV` without changing its state, if it is still at `fromV`, and
   * announces the state with an event (`task` lets a process that never saw the task build it).
   * Used when Redis holds an older version than MongoDB: it lost writes (a restore, a failover).
   */
  async reversion(taskId: string, fromV: number, toV: number, message: string, task?: TaskSummary): Promise<{ ok: true; eventId: string } | { ok: false }> {
    const res = (await scripts.reversion.run(
      this.redis,
      [this.keys.task(taskId), this.keys.events, this.keys.changed],
      [taskId, this.maxLen, this.ttl, String(fromV), String(toV), tail({ message, task, at: new Date().toISOString() })],
    )) as unknown[];
    if (Number(res[0]) !== 1) return { ok: false };
    return { ok: true, eventId: eventIdFromStreamId(String(res[1])) };
  }
}

/** What the live state keeps of a change's outcome, so a repair can write it back without the event. */
function outcomeFields(spec: TransitionSpec): Record<string, string> {
  const out: Record<string, string> = {};
  if (spec.error) out.error = JSON.stringify(spec.error);
  if (spec.to === 'success') out.error = '';
  if (spec.result) out.result = JSON.stringify(spec.result);
  if (spec.to === 'pending') out.result = '';
  return out;
}
