/**
 * The fan-out baseline: a minimal SSE server that relays the system's own Redis event stream to
 * the sockets of each event's owner, as the server's hub does, and nothing else: no tRPC, no
 * session, no task index, no resume. It follows the stream the way the hub does (a blocking XREAD
 * of up to 500 entries on a connection of its own) and writes each event in the frame the server's
 * subscription writes (`id:` and `data:` with the event as JSON), so the benchmark reads both with
 * the same client.
 *
 * GET /events?user=<userId> -> text/event-stream (an `event: connected` frame first, as tRPC sends)
 */
import { createServer, type ServerResponse } from 'node:http';
import { createLogger, createRedis, redisKeys } from '@zpub/shared/node';
import { eventIdFromStreamId } from '@zpub/shared';

const PORT = Number(process.env.PORT ?? 0);
const REDIS_URL = process.env.REDIS_URL ?? '';
const REDIS_PREFIX = process.env.REDIS_PREFIX ?? '';
if (!PORT || !REDIS_URL || !REDIS_PREFIX) throw new Error('PORT, REDIS_URL and REDIS_PREFIX are required');

const log = createLogger('bench-relay-baseline', 'warn');
const blocking = createRedis(REDIS_URL, log, 'stream');
await blocking.connect();
const key = redisKeys(REDIS_PREFIX).events;
const sockets = new Map<string, Set<ServerResponse>>();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://relay');
  if (url.pathname === '/healthz') {
    res.end('ok');
    return;
  }
  const user = url.searchParams.get('user');
  if (url.pathname !== '/events' || !user) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write('event: connected\ndata: {}\n\n');
  let set = sockets.get(user);
  if (!set) sockets.set(user, (set = new Set()));
  const mine = set;
  mine.add(res);
  req.on('close', () => {
    mine.delete(res);
    if (mine.size === 0) sockets.delete(user);
  });
});
server.listen(PORT, '127.0.0.1');

let stopped = false;
process.on('SIGTERM', () => {
  stopped = true;
  server.close();
  for (const set of sockets.values()) for (const res of set) res.end();
  setTimeout(() => process.exit(0), 100);
});

/** From the stream's end when it starts: a subscriber is owed what happens after it connects. */
async function follow(): Promise<void> {
  // A concrete id, not '$': events written between two reads must not fall between them.
  const newest = (await blocking.xRevRange(key, '+', '-', { COUNT: 1 })) as { id: string }[];
  let position = newest[0]?.id ?? '0-0';
  while (!stopped) {
    const res = (await blocking.xRead({ key, id: position }, { BLOCK: 2000, COUNT: 500 })) as { messages: { id: string; message: Record<string, string> }[] }[] | null;
    for (const m of res?.[0]?.messages ?? []) {
      position = m.id;
      const json = m.message.e;
      if (!json) continue;
      const event = JSON.parse(json) as { userId?: string };
      const set = event.userId ? sockets.get(event.userId) : undefined;
      if (!set) continue;
      const id = eventIdFromStreamId(m.id);
      const frame = `id: ${id}\ndata: ${JSON.stringify({ ...event, id })}\n\n`;
      for (const s of set) s.write(frame);
    }
  }
}
void follow().catch((err: Error) => {
  log.error({ err: err.message }, 'the relay stopped following the stream');
  process.exit(1);
});
