/**
 * What one accepted `task.create` costs each process, and which Redis commands it makes: a stack
 * without workers, 20 users, 100 keep-alive clients (autocannon) for a warm-up of 3 s and then
 * SECS seconds (default 12), flat out or at RATE submissions per second overall. Prints the
 * accepted rate, the CPU milliseconds per accepted task of the server, FerretDB, Redis and the
 * client, and Redis's command counts per task over the run (INFO commandstats; commands a Lua
 * script makes count too).
 *
 *   cd tests && npx tsx bench/probes/submit-cpu.ts
 *   cd tests && RATE=200 SECS=15 npx tsx bench/probes/submit-cpu.ts
 *
 * The machines this runs on change speed from minute to minute; compare builds by running this
 * alternately on each (two clones), and compare the server's CPU per task with FerretDB's in the
 * same run, since FerretDB does the same work per task in both.
 */
import autocannon from 'autocannon';
import { createClient } from 'redis';
import { benchStack, cpuMeter, makeUsers, sleep } from '../lib/stack';

const SECS = Number(process.env.SECS ?? 12);
const RATE = process.env.RATE ? Number(process.env.RATE) : undefined;
const CONTENT = '一段不长的正文，**带粗体**。\n\n- 列表项';

await using stack = await benchStack({ workers: 0 });
const users = await makeUsers(stack.urls.app, 20, 'probe');
const redis = createClient({ url: stack.urls.redis });
await redis.connect();

async function commandCounts(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_(\w+):calls=(\d+)/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

let n = 0;
function run(seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: stack.urls.app,
        connections: 100,
        duration: seconds,
        ...(RATE ? { overallRate: RATE } : {}),
        requests: [{ method: 'POST', path: '/trpc/task.create' }],
        setupClient(client) {
          const i = n++;
          const u = users[i % users.length];
          if (!u) throw new Error('no users');
          client.setHeadersAndBody({ cookie: u.user.cookie, 'content-type': 'application/json' }, JSON.stringify({ accountId: u.accountId, title: `探针 ${i}`, content: CONTENT }));
        },
      },
      (err: Error | null, res: autocannon.Result) => (err ? reject(err) : resolve(res)),
    ),
  );
}

await run(3);
await sleep(2000);
const before = await commandCounts();
const meter = cpuMeter({ server: stack.server.pid, ferretdb: stack.ferret?.pid, redis: stack.redis?.pid });
const res = await run(SECS);
await sleep(1500);
const cpuS = meter.stop();
const after = await commandCounts();
const ok = res['2xx'];
if (ok === 0 || res.non2xx > 0) throw new Error(`${ok} accepted, ${res.non2xx} refused: see ${stack.dir}/logs`);
console.log(`accepted ${ok} in ${SECS} s (${(ok / SECS).toFixed(0)}/s)`);
console.log(`CPU ms per accepted task: ${Object.entries(cpuS).map(([k, s]) => `${k} ${((s * 1000) / ok).toFixed(3)}`).join(', ')}`);
if (cpuS.server && cpuS.ferretdb) console.log(`server ÷ ferretdb: ${(cpuS.server / cpuS.ferretdb).toFixed(3)}`);
console.log('Redis commands per task:');
for (const [cmd, calls] of [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])) {
  console.log(`  ${cmd.padEnd(18)} ${(calls / ok).toFixed(3)}`);
}
await redis.quit();
