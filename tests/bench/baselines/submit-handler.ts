/**
 * The submit baseline: the durable work of `task.create` and nothing else, behind a bare
 * node:http handler. It mirrors TaskService.save (apps/server/src/services/tasks.ts) step by step:
 * submissions that arrive together are committed together (group commit, the best durable path
 * on FerretDB's single SQLite writer); each group is one insertMany per collection (the task, its
 * body, its create-journal entry) through the driver, then registered in Redis by the same Lua
 * script (TaskStates.create), then answered, then its journal entries are dropped. No tRPC, no
 * session, no limits, no ownership or content checks, no index, no dispatcher.
 *
 * Its own database on the same FerretDB (same indexes, made by the same models) and its own Redis
 * prefix on the same Redis, so the server's projector and hub never see its tasks. Keep it in step
 * with tasks.ts: when the create path writes something else, this must write it too.
 *
 * POST /create {"userId","accountId","title","content"} -> {"taskId","status":"pending"}
 */
import { createServer, type IncomingMessage } from 'node:http';
import { TaskStates, connectMongo, createLogger, createRedis, redisKeys } from '@zpub/shared/node';
import { Types } from 'mongoose';

const PORT = Number(process.env.PORT ?? 0);
const MONGODB_URI = process.env.MONGODB_URI ?? '';
const REDIS_URL = process.env.REDIS_URL ?? '';
const REDIS_PREFIX = process.env.REDIS_PREFIX ?? '';
if (!PORT || !MONGODB_URI || !REDIS_URL || !REDIS_PREFIX) throw new Error('PORT, MONGODB_URI, REDIS_URL and REDIS_PREFIX are required');

/** As in tasks.ts: a group takes whole submissions up to about this many documents. */
const MAX_GROUP_DOCS = 500;

interface Submission {
  userId: string;
  accountId: string;
  title: string;
  content: string;
  resolve: (taskId: string) => void;
  reject: (err: unknown) => void;
}

const log = createLogger('bench-submit-baseline', 'warn');
const { models } = await connectMongo(MONGODB_URI);
const redis = createRedis(REDIS_URL, log, 'commands', { failFast: true });
await redis.connect();
const keys = redisKeys(REDIS_PREFIX);
const states = new TaskStates(redis, keys);
const tasks = models.Task.collection;
const contents = models.TaskContent.collection;
const journal = models.TaskCreate.collection;

const waiting: Submission[] = [];
let committing = false;
let scheduled = false;

function schedule(): void {
  if (committing || scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    void drain();
  });
}

async function drain(): Promise<void> {
  if (committing) return;
  committing = true;
  try {
    while (waiting.length > 0) {
      const group = waiting.splice(0, MAX_GROUP_DOCS);
      const saved = await insert(group);
      // Registering overlaps the next group's insert, as in tasks.ts.
      if (saved) void register(saved);
    }
  } finally {
    committing = false;
  }
}

async function insert(group: Submission[]): Promise<{ group: Submission[]; ids: Types.ObjectId[]; now: Date } | null> {
  const now = new Date();
  const ids = group.map(() => new Types.ObjectId());
  const docs = group.map((s, i) => ({
    _id: ids[i],
    userId: new Types.ObjectId(s.userId),
    accountId: new Types.ObjectId(s.accountId),
    platform: 'sandbox',
    title: s.title,
    topics: [],
    priority: 'normal',
    mode: 'publish',
    status: 'pending',
    progress: 0,
    stage: 'created',
    attempt: 0,
    v: 0,
    createdAt: now,
    updatedAt: now,
  }));
  try {
    await Promise.all([
      tasks.insertMany(docs, { ordered: false }),
      contents.insertMany(
        group.map((s, i) => ({ _id: ids[i], content: s.content })),
        { ordered: false },
      ),
      journal.insertMany(
        group.map((s, i) => ({ _id: ids[i], userId: new Types.ObjectId(s.userId), at: now })),
        { ordered: false },
      ),
    ]);
  } catch (err) {
    for (const s of group) s.reject(err);
    return null;
  }
  return { group, ids, now };
}

async function register({ group, ids, now }: { group: Submission[]; ids: Types.ObjectId[]; now: Date }): Promise<void> {
  let eventIds: (string | null)[];
  try {
    eventIds = await states.create(
      group.map((s, i) => ({
        taskId: String(ids[i]),
        userId: s.userId,
        summary: { accountId: s.accountId, platform: 'sandbox', title: s.title, topics: [], priority: 'normal', createdAt: now.toISOString() },
      })),
    );
  } catch (err) {
    for (const s of group) s.reject(err);
    return;
  }
  group.forEach((s, i) => (eventIds[i] ? s.resolve(String(ids[i])) : s.reject(new Error('the task was registered already'))));
  await journal.deleteMany({ _id: { $in: ids } }).catch((err: Error) => log.warn({ err: err.message }, 'journal entries not removed'));
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.end('ok');
    return;
  }
  if (req.method !== 'POST' || req.url !== '/create') {
    res.writeHead(404).end();
    return;
  }
  void body(req)
    .then(
      (text) =>
        new Promise<string>((resolve, reject) => {
          const input = JSON.parse(text) as { userId: string; accountId: string; title: string; content: string };
          waiting.push({ ...input, resolve, reject });
          schedule();
        }),
    )
    .then(
      (taskId) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ taskId, status: 'pending' }));
      },
      (err: Error) => {
        log.warn({ err: err.message }, 'a baseline submission failed');
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));
      },
    );
});
server.keepAliveTimeout = 60_000;
server.listen(PORT, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void redis.quit().finally(() => process.exit(0));
});
