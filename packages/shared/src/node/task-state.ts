/**
 * The live state of every task, and the only place it changes: a compare-and-set in a Redis Lua
 * script that also appends the event to the `events` stream, so the stream order is exactly the
 * order in which states changed. MongoDB holds the durable projection of this (see projector).
 *
 * The same script keeps, atomically with the change, what lists and statistics read (docs/state.md):
 * the task's row in its hash (title, times, outcome; an ended task's hash expires after a week and
 * MongoDB serves the row then), its place in the list indexes (per account and status, sorted sets
 * by creation time, last change and title; per batch), the set of live tasks, and counters per user
 * and creation hour. No other writer touches them, so a list never disagrees with the live state.
 * Every event also marks its task in the `changed` set (by time), so a stretch of the stream that
 * was trimmed before it was projected can be repaired from the live states.
 *
 * The scripts build index key names from the prefix (ARGV[4]) because which account, batch and user
 * a task belongs to is only known inside the script. That works on a standalone Redis (or one
 * primary with replicas), which is what zpub needs; Redis Cluster is not supported (the scripts
 * already touched keys of several slots: the task, the stream and the `changed` set).
 */
import { createHash } from 'node:crypto';
import type { TaskError } from '../errors';
import type { EvidenceView, Stage, TaskResult, TaskSummary } from '../events';
import { STAGES, eventIdFromStreamId, streamIdFromEventId } from '../events';
import { note, noteText, type Note } from '../notes';
import type { TaskStatus } from '../task';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis';

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

/** What a task document holds that its live state and its row are made of (TaskDoc fits). */
export interface StoredTask {
  _id: { toString(): string };
  userId: { toString(): string };
  accountId: { toString(): string };
  platform: string;
  title: string;
  topics?: readonly string[] | null;
  priority: string;
  scheduledAt?: Date | null;
  batchId?: { toString(): string } | null;
  status: TaskStatus;
  progress: number;
  stage: Stage;
  attempt: number;
  v: number;
  error?: { code?: string | null; message?: string | null; retryable?: boolean | null; detail?: { code?: string | null; params?: unknown } | null } | null;
  result?: { url?: string | null; articleId?: string | null } | null;
  evidence?: { url?: string | null; pageTitle?: string | null; screenshot?: boolean | null; at?: Date | null } | null;
  submittedAt?: Date | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  lastEventId?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The live state a saved task describes. */
export function liveStateOf(doc: StoredTask): Omit<LiveState, 'stalls' | 'jobId' | 'token'> {
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
    error: doc.error?.code
      ? JSON.stringify({ code: doc.error.code, message: doc.error.message, retryable: doc.error.retryable, ...(doc.error.detail?.code ? { detail: doc.error.detail } : {}) })
      : '',
    result: doc.result?.url ? JSON.stringify({ url: doc.result.url, articleId: doc.result.articleId }) : '',
  };
}

/**
 * Every field of a task's hash that a document determines, as the scripts store them (times in ms,
 * objects as JSON, absent as ''). `versionStride` is added to the version (see VERSION_STRIDE).
 */
export function storedFields(doc: StoredTask, versionStride: number): Record<string, string> {
  const live = liveStateOf(doc);
  const ms = (d: Date | null | undefined) => (d ? String(d.getTime()) : '');
  const ev = doc.evidence;
  return {
    userId: live.userId,
    accountId: live.accountId,
    status: live.status,
    attempt: String(live.attempt),
    v: String(live.v + versionStride),
    progress: String(live.progress),
    stage: live.stage,
    submittedAt: live.submittedAt,
    error: live.error,
    result: live.result,
    ...summaryFields(summaryOf(doc)),
    updatedAt: ms(doc.updatedAt),
    startedAt: ms(doc.startedAt),
    finishedAt: ms(doc.finishedAt),
    evidence: ev?.url ? JSON.stringify({ url: ev.url, pageTitle: ev.pageTitle ?? '', screenshot: Boolean(ev.screenshot), at: (ev.at ?? doc.updatedAt).toISOString() }) : '',
    lastEventId: doc.lastEventId ? (streamIdFromEventId(doc.lastEventId) ?? '') : '',
  };
}

/** The row fields a creation (or a summary) sets. */
function summaryFields(s: TaskSummary): Record<string, string> {
  return {
    platform: s.platform,
    title: s.title,
    topics: JSON.stringify(s.topics),
    priority: s.priority,
    scheduledAt: s.scheduledAt ? new Date(s.scheduledAt).toISOString() : '',
    batchId: s.batchId ?? '',
    createdAt: String(Date.parse(s.createdAt)),
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
  /** The change is refused while the task is at one of these stages (a cancel after the click). */
  unlessStage?: readonly Stage[] | undefined;
  /** Re-announces the task's summary (a reschedule, a retry): every reader can rebuild its row. */
  task?: TaskSummary | undefined;
  stage: Stage;
  progress?: number | undefined;
  /** What happened (notes.ts); the event's English `message` is made from it. */
  note?: Note | undefined;
  /** The English `message` when it says more than the note (advice after it). */
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
  | { ok: true; eventId: string; v: number; attempt: number; from: TaskStatus; progress: number; at: string }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'conflict'; status: TaskStatus; attempt: number; /** the stage that refused it (`unlessStage`) */ stage?: Stage };

export type RemoveResult =
  | { ok: true; eventId: string; v: number; attempt: number; status: TaskStatus; at: string }
  | { ok: false; reason: 'missing' | 'removed' }
  | { ok: false; reason: 'conflict'; status: TaskStatus };

export type ClaimResult =
  | { ok: true; eventId: string; attempt: number; v: number; submittedAt: string; stalls: number }
  | { ok: false; reason: 'missing' | 'stale-job' }
  | { ok: false; reason: 'not-claimable'; status: TaskStatus }
  | { ok: false; reason: 'stall-limit'; eventId: string };

/** What indexing one document from MongoDB did (TaskStates.index). */
/** removed: a tombstone stays; indexed: from the document; restored: a live task Redis had lost; kept: Redis's own state wins. */
export type IndexOutcome = 'removed' | 'indexed' | 'restored' | 'kept';

/**
 * Durations of successful tasks are counted in buckets `floor(ln(ms) / ln(1.05))`: a percentile
 * read from them is within 2.5 % of the true one (the bucket's geometric middle is reported).
 */
export const DURATION_BUCKET_BASE = 1.05;
export function durationBucket(ms: number): number {
  return Math.floor(Math.log(Math.max(ms, 1)) / Math.log(DURATION_BUCKET_BASE));
}
export function bucketMiddle(bucket: number): number {
  return Math.round(DURATION_BUCKET_BASE ** (bucket + 0.5));
}
export const HOUR_MS = 3_600_000;

/**
 * Shared by every script. ARGV 1-5 are the same everywhere: task id, stream length, ttl of an ended
 * task (s), key prefix, the event's time (ms). Event JSON is assembled from a fixed head (values the
 * script decides) and a tail that the caller serialised, so arrays and objects never pass through cjson.
 */
const LIB = `
local P, AT = ARGV[4], ARGV[5]
local LIVE = { pending = true, queued = true, running = true }
local STATUSES = { 'cancelled', 'failed', 'pending', 'queued', 'running', 'success', 'unconfirmed' }
local FACTS = { 'userId', 'accountId', 'createdAt', 'title', 'batchId', 'startedAt', 'finishedAt', 'error', 'updatedAt', 'status' }
local HOUR = ${HOUR_MS}

local function terminal(s)
  return s == 'success' or s == 'failed' or s == 'cancelled' or s == 'unconfirmed'
end

-- Appends the event; 'keep' records its id in the task's hash (the row's last event).
local function event(userId, status, att, v, progress, stage, rest, keep)
  local head = '{"taskId":"' .. ARGV[1] .. '","userId":"' .. userId .. '","attempt":' .. att ..
    ',"v":' .. v .. ',"status":"' .. status .. '","progress":' .. progress .. ',"stage":"' .. stage .. '"'
  if rest ~= '' then head = head .. ',' .. rest end
  local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', head .. '}')
  redis.call('ZADD', KEYS[3], tonumber(string.match(id, '^(%d+)')), ARGV[1])
  if keep then redis.call('HSET', KEYS[1], 'lastEventId', id) end
  return id
end

local function expiry(s)
  if terminal(s) then redis.call('EXPIRE', KEYS[1], ARGV[3]) else redis.call('PERSIST', KEYS[1]) end
end

-- The row's times after a change to status 'to' at stage 'stage' (task-row.ts, eventPatch).
local function stamp(to, stage)
  redis.call('HSET', KEYS[1], 'updatedAt', AT)
  if to == 'running' and stage == 'browser' then redis.call('HSET', KEYS[1], 'startedAt', AT, 'finishedAt', '', 'evidence', '') end
  if to == 'pending' then redis.call('HSET', KEYS[1], 'finishedAt', '', 'result', '') end
  if terminal(to) then redis.call('HSET', KEYS[1], 'finishedAt', AT) end
  if to == 'success' then redis.call('HSET', KEYS[1], 'error', '') end
end

local function factsOf(get, id)
  local t = { id = id }
  for i, f in ipairs(FACTS) do t[f] = get(i, f) or '' end
  return t
end

-- What the indexes need to know of a task, as its hash holds it now.
local function facts()
  local h = redis.call('HMGET', KEYS[1], unpack(FACTS))
  return factsOf(function(i) return h[i] end, ARGV[1])
end

-- Titles sort byte by byte (UTF-8, so by code point); a NUL in a title becomes NUL 1 and the id
-- follows after NUL NUL, so a title sorts before every longer title it begins.
local function titleMember(t)
  return (string.gsub(t.title, '%z', '\\0\\1')) .. '\\0\\0' .. t.id
end

local function bump(key, field, by)
  if redis.call('HINCRBY', key, field, by) <= 0 then redis.call('HDEL', key, field) end
end

local function errorCode(json)
  if json == '' then return 'INTERNAL' end
  local ok, e = pcall(cjson.decode, json)
  if ok and type(e) == 'table' and type(e.code) == 'string' then return e.code end
  return 'INTERNAL'
end

-- Counts the task in (sign 1) or out of (sign -1) its user's statistics for its creation hour.
local function count(t, status, sign)
  local hour = math.floor(tonumber(t.createdAt) / HOUR)
  local key = P .. ':st:' .. t.userId .. ':h:' .. hour
  local hours = P .. ':st:' .. t.userId .. ':hours'
  if sign > 0 then redis.call('ZADD', hours, hour, hour) end
  bump(key, 's:' .. status, sign)
  local fin = tonumber(t.finishedAt)
  if status == 'success' and fin then
    bump(key, 'ok:' .. math.floor(fin / HOUR), sign)
    local start = tonumber(t.startedAt)
    if start then bump(key, 'd:' .. math.floor(math.log(math.max(fin - start, 1)) / math.log(${DURATION_BUCKET_BASE})), sign) end
  elseif status == 'failed' then
    if fin then bump(key, 'ko:' .. math.floor(fin / HOUR), sign) end
    bump(key, 'f:' .. errorCode(t.error), sign)
  end
  if sign < 0 and redis.call('EXISTS', key) == 0 then redis.call('ZREM', hours, hour) end
  bump(P .. ':ix:n', status, sign)
end

-- Moves a task in the indexes from status 'from' (false: not indexed) to 'to' (false: removed).
local function index(t, from, to)
  local a = P .. ':ix:a:' .. t.accountId .. ':'
  local tm = titleMember(t)
  if from and from ~= to then
    redis.call('ZREM', a .. 'c:' .. from, t.id)
    redis.call('ZREM', a .. 'u:' .. from, t.id)
    redis.call('ZREM', a .. 't:' .. from, tm)
  end
  if to then
    if from ~= to then
      redis.call('ZADD', a .. 'c:' .. to, t.createdAt, t.id)
      redis.call('ZADD', a .. 't:' .. to, 0, tm)
    end
    redis.call('ZADD', a .. 'u:' .. to, t.updatedAt, t.id)
    if not from then
      redis.call('SADD', P .. ':ix:ua:' .. t.userId, t.accountId)
      if t.batchId ~= '' then redis.call('ZADD', P .. ':ix:b:' .. t.batchId, t.createdAt, t.id) end
    end
    if LIVE[to] then redis.call('SADD', P .. ':live', t.id) else redis.call('SREM', P .. ':live', t.id) end
  else
    if t.batchId ~= '' then redis.call('ZREM', P .. ':ix:b:' .. t.batchId, t.id) end
    redis.call('SREM', P .. ':live', t.id)
    local left = 0
    for _, s in ipairs(STATUSES) do left = left + redis.call('EXISTS', a .. 'c:' .. s) end
    if left == 0 then redis.call('SREM', P .. ':ix:ua:' .. t.userId, t.accountId) end
  end
end

-- 'old' and 'new' are the task's facts before and after a change from status 'from' to 'to'.
local function move(old, new, from, to)
  -- A state registered before rows were kept has no creation time; the rebuild indexes it.
  if new.createdAt == '' or new.accountId == '' then return end
  index(new, from, to)
  if from ~= to then
    if from then count(old, from, -1) end
    if to then count(new, to, 1) end
  end
end

-- The status under which the task is indexed now, or false.
local function indexedStatus(t)
  local a = P .. ':ix:a:' .. t.accountId .. ':c:'
  for _, s in ipairs(STATUSES) do
    if redis.call('ZSCORE', a .. s, t.id) then return s end
  end
  return false
end
`;

// ARGV 6 userId, 7 accountId, 8 stage, 9 rest, 10.. row field/value pairs
const CREATE = `${LIB}
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
redis.call('HSET', KEYS[1], 'userId', ARGV[6], 'accountId', ARGV[7], 'status', 'pending', 'attempt', 0, 'v', 0,
  'progress', 0, 'stage', ARGV[8], 'stalls', 0, 'jobId', '', 'submittedAt', '', 'updatedAt', AT)
for i = 10, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local t = facts()
move(t, t, false, 'pending')
return event(ARGV[6], 'pending', 0, 0, 0, ARGV[8], ARGV[9], true)
`;

// ARGV 6 from (comma list), 7 attempt or '', 8 to, 9 newAttempt 0/1, 10 progress or '', 11 stage,
//      12 rest, 13 version or '', 14 token or '', 15 stages that refuse the change (comma list)
//      or '', 16.. field/value pairs
const TRANSITION = `${LIB}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'progress', 'token', 'stage')
if not h[1] then return {-1} end
local status, att, v = h[1], tonumber(h[2]), tonumber(h[3])
local allowed = false
for s in string.gmatch(ARGV[6], '[^,]+') do if s == status then allowed = true end end
if not allowed or (ARGV[7] ~= '' and tonumber(ARGV[7]) ~= att) or (ARGV[13] ~= '' and tonumber(ARGV[13]) ~= v)
  or (ARGV[14] ~= '' and h[6] ~= ARGV[14]) then
  return {0, status, att}
end
for s in string.gmatch(ARGV[15], '[^,]+') do if s == h[7] then return {0, status, att, s} end end
local old = facts()
if ARGV[9] == '1' then att = att + 1 end
v = v + 1
local progress = ARGV[10]
if progress == '' then progress = h[5] end
redis.call('HSET', KEYS[1], 'status', ARGV[8], 'attempt', att, 'v', v, 'progress', progress, 'stage', ARGV[11])
stamp(ARGV[8], ARGV[11])
for i = 16, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
expiry(ARGV[8])
move(old, facts(), status, ARGV[8])
local id = event(h[4], ARGV[8], att, v, progress, ARGV[11], ARGV[12], true)
return {1, id, v, att, status, tonumber(progress)}
`;

// ARGV 6 jobId, 7 workerId, 8 stall limit, 9 rest (claim), 10 rest (stall failure), 11 the claim's
//      fencing token, 12 the stall error's JSON
const CLAIM = `${LIB}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'stalls', 'jobId', 'submittedAt')
if not h[1] then return {-1} end
local status, att, v, stalls = h[1], tonumber(h[2]), tonumber(h[3]), tonumber(h[5])
if h[6] ~= ARGV[6] then return {-2} end
if status ~= 'queued' and status ~= 'running' then return {0, status} end
local old = facts()
v = v + 1
if status == 'running' then
  -- The job came back while the task was running: its worker stopped renewing the lock.
  stalls = stalls + 1
  if stalls > tonumber(ARGV[8]) then
    redis.call('HSET', KEYS[1], 'status', 'failed', 'v', v, 'stalls', stalls, 'progress', 100, 'stage', 'failed', 'token', '',
      'error', ARGV[12])
    stamp('failed', 'failed')
    expiry('failed')
    move(old, facts(), 'running', 'failed')
    return {2, event(h[4], 'failed', att, v, 100, 'failed', ARGV[10], true)}
  end
end
att = att + 1
redis.call('HSET', KEYS[1], 'status', 'running', 'attempt', att, 'v', v, 'stalls', stalls, 'progress', 10,
  'stage', 'browser', 'workerId', ARGV[7], 'token', ARGV[11])
stamp('running', 'browser')
redis.call('PERSIST', KEYS[1])
move(old, facts(), status, 'running')
return {1, event(h[4], 'running', att, v, 10, 'browser', ARGV[9], true), v, att, h[7], stalls}
`;

// ARGV 6 rest. An ended task leaves every index and statistic, and a tombstone (no status, so every
// other script finds it missing, and ENSURE cannot rebuild it) and its last event.
const REMOVE = `${LIB}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'progress', 'removed')
if h[6] then return {-2} end
if not h[1] then return {-1} end
if not terminal(h[1]) then return {0, h[1]} end
local t = facts()
move(t, t, h[1], false)
local v = tonumber(h[3]) + 1
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'removed', 1, 'userId', h[4])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, event(h[4], h[1], tonumber(h[2]), v, h[5], 'removed', ARGV[6], false), v, tonumber(h[2]), h[1]}
`;

// ARGV 6.. field/value pairs of a document from MongoDB (storedFields). Puts a state Redis no longer
// holds back, in its indexes too. If the indexes hold it under another status (Redis lost writes
// and the hash expired since), it moves there; its counts then use the document's times.
const ENSURE = `${LIB}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'stalls', 0, 'jobId', '', 'token', '')
local t = facts()
move(t, t, indexedStatus(t), t.status)
if terminal(t.status) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1
`;

// ARGV 6 expected version, 7 new version, 8 rest. The state stays as it is; only its version jumps
// (see VERSION_STRIDE), announced by an event that carries the state.
const REVERSION = `${LIB}
local h = redis.call('HMGET', KEYS[1], 'status', 'attempt', 'v', 'userId', 'progress', 'stage', 'error', 'result')
if not h[1] then return {-1} end
if tonumber(h[3]) ~= tonumber(ARGV[6]) then return {0} end
local old = facts()
redis.call('HSET', KEYS[1], 'v', ARGV[7], 'updatedAt', AT)
move(old, facts(), h[1], h[1])
local rest = ARGV[8]
if h[7] and h[7] ~= '' then rest = rest .. ',"error":' .. h[7] end
if h[8] and h[8] ~= '' then rest = rest .. ',"result":' .. h[8] end
return {1, event(h[4], h[1], h[2], ARGV[7], h[5], h[6], rest, true)}
`;

// ARGV 6 rest (the event of a live task restored), 7.. field/value pairs of a document (storedFields).
// Makes Redis hold what the API would have left for this document: its index entries and counts,
// and its hash while the task is live or ended less than the ttl ago. A live state Redis already
// holds wins (only row fields it lacks are filled in), and so does an end the indexes know that is
// later than the document's; a tombstone stays. Returns 0 removed, 1 indexed, 2 a live task
// restored (with an event, so every server takes it up), 3 a live state kept.
const INDEX_DOC = `${LIB}
if redis.call('HEXISTS', KEYS[1], 'removed') == 1 then return 0 end
local ROW = { platform = true, title = true, topics = true, priority = true, scheduledAt = true, batchId = true,
  createdAt = true, updatedAt = true, startedAt = true, finishedAt = true, evidence = true }
if redis.call('HEXISTS', KEYS[1], 'status') == 1 then
  for i = 7, #ARGV, 2 do
    if ROW[ARGV[i]] then redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
  end
  local t = facts()
  local from = indexedStatus(t)
  if from ~= t.status then move(t, t, from, t.status) end
  return 3
end
local doc = {}
for i = 7, #ARGV, 2 do doc[ARGV[i]] = ARGV[i + 1] end
local t = factsOf(function(_, f) return doc[f] end, ARGV[1])
local from = indexedStatus(t)
if not from then
  move(t, t, false, t.status)
elseif from ~= t.status then
  local seen = tonumber(redis.call('ZSCORE', P .. ':ix:a:' .. t.accountId .. ':u:' .. from, t.id)) or 0
  -- The indexes know a later end than the document (MongoDB lags, and the hash has expired
  -- since): that end stands, and nothing is restored from the older document.
  if tonumber(t.updatedAt) <= seen and not LIVE[from] then return 1 end
  move(t, t, from, t.status)
end
local keepUntil = (tonumber(t.finishedAt) or 0) + tonumber(ARGV[3]) * 1000
if LIVE[t.status] or keepUntil > tonumber(AT) then
  for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
  redis.call('HSET', KEYS[1], 'stalls', 0, 'jobId', '', 'token', '')
  if LIVE[t.status] then
    event(doc.userId, t.status, doc.attempt, doc.v, doc.progress, doc.stage, ARGV[6], true)
    return 2
  end
  redis.call('PEXPIREAT', KEYS[1], keepUntil)
end
return 1
`;

/** A Lua script run by its SHA-1, loaded by its first call (EVAL) when Redis does not know it yet. */
export class Script {
  readonly sha: string;
  /**
   * Whether Redis has run it since this process started. A restarted Redis forgets it again; each
   * call then still falls back to EVAL on its own, so this only decides whether a group of calls
   * may go out together (known) or should let the first one load it (not yet).
   */
  known = false;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
  async run(redis: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    let out: unknown;
    try {
      out = await redis.evalSha(this.sha, { keys, arguments: args });
    } catch (e) {
      if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
      out = await redis.eval(this.source, { keys, arguments: args });
    }
    this.known = true;
    return out;
  }

  /**
   * One call per item, all in one round trip once Redis knows the script; before that the first
   * call loads it, so a batch does not send the source once per item. Results in item order.
   */
  async each<T>(items: readonly T[], call: (item: T) => Promise<unknown>): Promise<unknown[]> {
    const first = items[0];
    if (first === undefined) return [];
    if (this.known) return Promise.all(items.map(call));
    const head = await call(first);
    return [head, ...(await Promise.all(items.slice(1).map(call)))];
  }
}

// KEYS: task hashes. Returns each one's status and version, '' for a hash that is gone.
const VERSIONS = `
local out = {}
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'status', 'v')
  out[2 * i - 1] = f[1] or ''
  out[2 * i] = f[2] or ''
end
return out
`;

const scripts = {
  versions: new Script(VERSIONS),
  create: new Script(CREATE),
  transition: new Script(TRANSITION),
  claim: new Script(CLAIM),
  ensure: new Script(ENSURE),
  remove: new Script(REMOVE),
  reversion: new Script(REVERSION),
  indexDoc: new Script(INDEX_DOC),
};

/** Success fills the bar, a new start empties it, an ending that is not success leaves it where it stopped. */
function defaultProgress(spec: TransitionSpec): number | '' {
  if (spec.to === 'pending') return 0;
  if (spec.to === 'failed' || spec.to === 'cancelled' || spec.to === 'unconfirmed') return '';
  return STAGES[spec.stage];
}

/** An event's note and its English `message` (the error's, when the event carries one and no note). */
function said(n: Note | undefined, error?: TaskError, message?: string): { note?: Note; message?: string } {
  const english = message ?? (n ? noteText(n) : error?.message);
  return { ...(n ? { note: n } : {}), ...(english ? { message: english } : {}) };
}

/** The JSON members after the fixed head: `"a":1,"b":"x"` (no braces), or ''. */
function tail(fields: Record<string, unknown>): string {
  const json = JSON.stringify(fields);
  return json === '{}' ? '' : json.slice(1, -1);
}

export interface TaskStatesOptions {
  /** Events kept in the stream for resuming subscribers (approximate, trimmed by Redis). */
  streamMaxLen?: number;
  /** How long a finished task's live state (and row) stays in Redis; MongoDB serves it after. */
  terminalTtlS?: number;
}

/** Which of these tasks were removed (their live state is a tombstone), in order; one pipelined read each. */
export async function removedAmong(redis: RedisClient, keys: RedisKeys, taskIds: readonly string[]): Promise<boolean[]> {
  const marks = await Promise.all(taskIds.map((id) => redis.hGet(keys.task(id), 'removed')));
  return marks.map((m) => Boolean(m));
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

  /** How long an ended task's hash is kept, in seconds. */
  get terminalTtlS(): number {
    return Number(this.ttl);
  }

  private head(taskId: string, at: Date): string[] {
    return [taskId, this.maxLen, this.ttl, this.keys.prefix, String(at.getTime())];
  }

  private eventKeys(taskId: string): string[] {
    return [this.keys.task(taskId), this.keys.events, this.keys.changed];
  }

  /** Registers new tasks as pending, one created event each; pipelined for batches. */
  async create(
    tasks: readonly { taskId: string; userId: string; summary: TaskSummary; stage?: Stage; note?: Note }[],
  ): Promise<(string | null)[]> {
    // The created event is dated at the creation: the row's last change is then the same in
    // Redis, in MongoDB (which saved the task at that moment) and in every reader.
    const run = (t: (typeof tasks)[number]) => {
      const at = new Date(t.summary.createdAt);
      return scripts.create.run(this.redis, this.eventKeys(t.taskId), [
        ...this.head(t.taskId, at),
        t.userId,
        t.summary.accountId,
        t.stage ?? 'created',
        tail({ ...said(t.note), task: t.summary, at: at.toISOString() }),
        ...Object.entries(summaryFields(t.summary)).flat(),
      ]);
    };
    const ids = await scripts.create.each(tasks, run);
    return ids.map((id) => (typeof id === 'string' ? eventIdFromStreamId(id) : null));
  }

  async transition(taskId: string, spec: TransitionSpec): Promise<TransitionResult> {
    const at = new Date();
    const progress = spec.progress ?? defaultProgress(spec);
    const pairs = Object.entries({ ...spec.set, ...outcomeFields(spec) }).flatMap(([k, val]) => [k, val ?? '']);
    const res = (await scripts.transition.run(this.redis, this.eventKeys(taskId), [
      ...this.head(taskId, at),
      spec.from.join(','),
      spec.attempt === undefined ? '' : String(spec.attempt),
      spec.to,
      spec.newAttempt ? '1' : '0',
      String(progress),
      spec.stage,
      tail({ ...said(spec.note, spec.error, spec.message), error: spec.error, result: spec.result, task: spec.task, evidence: spec.evidence, at: at.toISOString() }),
      spec.v === undefined ? '' : String(spec.v),
      spec.token ?? '',
      spec.unlessStage?.join(',') ?? '',
      ...pairs,
    ])) as unknown[];
    const code = Number(res[0]);
    if (code === -1) return { ok: false, reason: 'missing' };
    if (code === 0) {
      const refusedAt = res[3] === undefined ? {} : { stage: res[3] as Stage };
      return { ok: false, reason: 'conflict', status: res[1] as TaskStatus, attempt: Number(res[2]), ...refusedAt };
    }
    return {
      ok: true,
      eventId: eventIdFromStreamId(String(res[1])),
      v: Number(res[2]),
      attempt: Number(res[3]),
      from: res[4] as TaskStatus,
      progress: Number(res[5]),
      at: at.toISOString(),
    };
  }

  /**
   * A worker takes a task for a new attempt. A job that comes back while the task is `running`
   * means its previous worker died: that counts as a stall, and past `stallLimit` the task fails.
   */
  async claim(taskId: string, jobId: string, workerId: string, stallLimit: number, stallError: TaskError, token: string): Promise<ClaimResult> {
    const at = new Date();
    const res = (await scripts.claim.run(this.redis, this.eventKeys(taskId), [
      ...this.head(taskId, at),
      jobId,
      workerId,
      String(stallLimit),
      tail({ ...said(note('claimed', { worker: workerId })), at: at.toISOString() }),
      tail({ ...said(undefined, stallError), error: stallError, at: at.toISOString() }),
      token,
      JSON.stringify(stallError),
    ])) as unknown[];
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
   * Removes an ended task: it leaves every list and count, its live state becomes a tombstone that
   * no other change (a retry, a late worker) can bring back, and the stream gets its last event,
   * `removed`. A task that is not ended is refused; `missing` means Redis no longer holds it
   * (rebuild with ensure first).
   */
  async remove(taskId: string): Promise<RemoveResult> {
    const at = new Date();
    const res = (await scripts.remove.run(this.redis, this.eventKeys(taskId), [
      ...this.head(taskId, at),
      tail({ ...said(note('removedByUser')), removed: true, at: at.toISOString() }),
    ])) as unknown[];
    const code = Number(res[0]);
    if (code === -1) return { ok: false, reason: 'missing' };
    if (code === -2) return { ok: false, reason: 'removed' };
    if (code === 0) return { ok: false, reason: 'conflict', status: res[1] as TaskStatus };
    return { ok: true, eventId: eventIdFromStreamId(String(res[1])), v: Number(res[2]), attempt: Number(res[3]), status: res[4] as TaskStatus, at: at.toISOString() };
  }

  /**
   * The status and version of many live states (null: none) in one script call: the periodic
   * comparisons read every live task, and a command each made a backlog of 25,000 pending tasks
   * cost 25,000 commands per interval.
   */
  async versions(taskIds: readonly string[]): Promise<({ status: TaskStatus; v: number } | null)[]> {
    if (taskIds.length === 0) return [];
    const flat = (await scripts.versions.run(this.redis, taskIds.map((id) => this.keys.task(id)), [])) as string[];
    return taskIds.map((_, i) => (flat[2 * i] ? { status: flat[2 * i] as TaskStatus, v: Number(flat[2 * i + 1] || 0) } : null));
  }

  /** The facts of a live state the reconciler judges by, four fields instead of the whole hash. */
  async peek(taskId: string): Promise<{ status: TaskStatus; v: number; jobId: string; workerId: string } | null> {
    const [status, v, jobId, workerId] = await this.redis.hmGet(this.keys.task(taskId), ['status', 'v', 'jobId', 'workerId']);
    if (!status) return null;
    return { status: status as TaskStatus, v: Number(v ?? 0), jobId: jobId ?? '', workerId: workerId ?? '' };
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
  async ensure(doc: StoredTask): Promise<boolean> {
    const res = await scripts.ensure.run(this.redis, [this.keys.task(doc._id.toString())], [
      ...this.head(doc._id.toString(), new Date()),
      ...Object.entries(storedFields(doc, VERSION_STRIDE)).flat(),
    ]);
    return Number(res) === 1;
  }

  /**
   * Makes Redis hold what the API would have left for these documents: index entries, counts, and
   * the hash of each task that is live or ended less than the ttl ago (live ones are announced with
   * an event). What Redis holds already stays (a live state, a tombstone). Used to rebuild lost
   * indexes and to seed a history in bulk; `versionStride` is VERSION_STRIDE when MongoDB may lag.
   */
  async index(docs: readonly StoredTask[], versionStride: number): Promise<IndexOutcome[]> {
    const at = new Date();
    const outcomes: IndexOutcome[] = ['removed', 'indexed', 'restored', 'kept'];
    const run = (doc: StoredTask) => {
      const id = doc._id.toString();
      return scripts.indexDoc.run(this.redis, this.eventKeys(id), [
        ...this.head(id, at),
        tail({ ...said(note('restoredFromMongo')), task: summaryOf(doc), at: at.toISOString() }),
        ...Object.entries(storedFields(doc, versionStride)).flat(),
      ]);
    };
    const res = await scripts.indexDoc.each(docs, run);
    return res.map((r) => outcomes[Number(r)] ?? 'indexed');
  }

  /**
   * Moves a task's version to `toV` without changing its state, if it is still at `fromV`, and
   * announces the state with an event (`task` lets a process that never saw the task build it).
   * Used when Redis holds an older version than MongoDB: it lost writes (a restore, a failover).
   */
  async reversion(taskId: string, fromV: number, toV: number, why: Note, task?: TaskSummary): Promise<{ ok: true; eventId: string } | { ok: false }> {
    const at = new Date();
    const res = (await scripts.reversion.run(this.redis, this.eventKeys(taskId), [
      ...this.head(taskId, at),
      String(fromV),
      String(toV),
      tail({ ...said(why), task, at: at.toISOString() }),
    ])) as unknown[];
    if (Number(res[0]) !== 1) return { ok: false };
    return { ok: true, eventId: eventIdFromStreamId(String(res[1])) };
  }
}

/** What an event carries of a task, from its document, so a process that never saw it can build its row. */
export function summaryOf(doc: StoredTask): TaskSummary {
  return {
    accountId: doc.accountId.toString(),
    platform: doc.platform,
    title: doc.title,
    topics: [...(doc.topics ?? [])],
    priority: doc.priority,
    scheduledAt: doc.scheduledAt?.toISOString(),
    batchId: doc.batchId?.toString(),
    createdAt: doc.createdAt.toISOString(),
  };
}

/** What the live state keeps of a change's outcome and summary, so a repair can write it back without the event. */
function outcomeFields(spec: TransitionSpec): Record<string, string> {
  const out: Record<string, string> = {};
  if (spec.error) out.error = JSON.stringify(spec.error);
  if (spec.to === 'success') out.error = '';
  if (spec.result) out.result = JSON.stringify(spec.result);
  if (spec.to === 'pending') out.result = '';
  if (spec.evidence) out.evidence = JSON.stringify(spec.evidence);
  if (spec.task) out.scheduledAt = spec.task.scheduledAt ? new Date(spec.task.scheduledAt).toISOString() : '';
  return out;
}
