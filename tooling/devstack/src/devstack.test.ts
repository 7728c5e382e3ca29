// Boots the real redis-server and FerretDB (and a stub app) and checks that nothing survives.
import { connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, mongoHello, redisPing, startApp, startFerret, startRedis, tempDir, withDatabase } from './index.js';
import { OWNER, procStat, taggedPids } from './proc.js';

function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1' });
    let buf = '';
    sock.once('connect', () => sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.endsWith('\r\n') && !/^\$\d+\r\n$/.test(buf)) {
        sock.destroy();
        resolve(buf);
      }
    });
    sock.once('error', reject);
  });
}

const alive = (pid: number): boolean => {
  const st = procStat(pid);
  return st !== undefined && st.state !== 'Z';
};

describe('devstack', () => {
  it('starts, restarts and stops Redis and FerretDB, keeping data and leaving no process', async () => {
    await using tmp = await tempDir('devstack-test-');
    const redis = await startRedis({ dir: join(tmp.path, 'redis') });
    const ferret = await startFerret({ dir: join(tmp.path, 'ferret') });
    try {
      expect(await redisPing(redis.port)).toBe(true);
      expect(await mongoHello(ferret.port)).toBe(true);
      expect(ferret.uri('db1')).toBe(`mongodb://127.0.0.1:${ferret.port}/db1`);

      expect(await redisCommand(redis.port, 'SET', 'greeting', 'ni hao')).toBe('+OK\r\n');
      const firstPid = redis.pid;
      await redis.restart();
      expect(redis.pid).not.toBe(firstPid);
      expect(await redisCommand(redis.port, 'GET', 'greeting')).toBe('$6\r\nni hao\r\n');
      // A task row's longer values (a CJK title, result JSON) keep the hash compact (docs/state.md).
      expect(await redisCommand(redis.port, 'HSET', 'row', 'title', '标'.repeat(66), 'v', '3')).toBe(':2\r\n');
      expect(await redisCommand(redis.port, 'OBJECT', 'ENCODING', 'row')).toBe('$8\r\nlistpack\r\n');

      // an outage: down, then up again on the same port and folder
      await ferret.stop();
      expect(await mongoHello(ferret.port)).toBe(false);
      await ferret.restart();
      expect(await mongoHello(ferret.port)).toBe(true);

      // a crash
      const crashed = await redis.kill('SIGKILL');
      expect(crashed.signal).toBe('SIGKILL');
      expect(redis.running).toBe(false);
      await redis.restart();
      expect(await redisPing(redis.port)).toBe(true);
    } finally {
      await redis.stop();
      await ferret.stop();
    }
    expect(alive(redis.pid)).toBe(false);
    expect(alive(ferret.pid)).toBe(false);
    expect(taggedPids(OWNER)).toEqual([]);
  }, 600_000);

  it('kills an app together with the detached processes it started', async () => {
    await using tmp = await tempDir('devstack-test-');
    const script = join(tmp.path, 'main.mjs');
    writeFileSync(
      script,
      `import { createServer } from 'node:http';
       import { spawn } from 'node:child_process';
       const c = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' }); // like puppeteer's Chromium
       console.log('child=' + c.pid);
       createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end())
         .listen(Number(process.env.WORKER_HTTP_PORT), '127.0.0.1');`,
    );
    const port = await freePort();
    const logFile = join(tmp.path, 'worker.log');
    const app = await startApp('worker', { entry: script, port, logFile, env: { WORKER_HTTP_PORT: String(port) } });
    const childPid = Number(/child=(\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1]);
    expect(alive(childPid)).toBe(true);
    expect(procStat(childPid)?.pgrp).not.toBe(app.pid); // it left the app's process group

    await app.kill('SIGKILL');
    await expect.poll(() => alive(childPid)).toBe(false);
    await app.restart();
    expect(app.running).toBe(true);
    await app.stop({ graceMs: 2000 });
    expect(taggedPids(OWNER)).toEqual([]);
  }, 60_000);

  it('reports the log tail when an app dies before it is ready', async () => {
    await using tmp = await tempDir('devstack-test-');
    const script = join(tmp.path, 'main.mjs');
    writeFileSync(script, `console.error('MONGODB_URI is missing'); process.exit(2);`);
    await expect(startApp('server', { entry: script, port: await freePort(), logFile: join(tmp.path, 's.log') })).rejects.toThrow(
      /exited \(code 2[\s\S]*MONGODB_URI is missing/,
    );
  });

  it('puts its own database name into a MongoDB URI', () => {
    expect(withDatabase('mongodb://u:p@h1:1,h2:2/old?replicaSet=rs', 'zpub_x')).toBe('mongodb://u:p@h1:1,h2:2/zpub_x?replicaSet=rs');
    expect(withDatabase('mongodb://127.0.0.1:27017', 'a')).toBe('mongodb://127.0.0.1:27017/a');
  });
});
