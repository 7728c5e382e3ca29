/**
 * Two server processes behind one port, as a load balancer would put them: each lists and streams
 * the tasks created through the other, a leader deposed in the middle of a projection round
 * cannot write an older state over what the new leader wrote, and a server that stood still while
 * the stream was trimmed past it repairs its rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startApp, type AppHandle } from '@zpub/devstack';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { waitFor } from '../support/sandbox';
import { bootStack, type TestStack } from '../support/stack';
import { isTerminal } from '../support/tasks';

let stack: TestStack;
let second: AppHandle;
let proxy: Server;
let front: string;
const pauseDir = mkdtempSync(join(tmpdir(), 'zpub-pause-'));

/** A round-robin HTTP proxy: each request (and each SSE stream) goes to the next server. */
function roundRobin(port: number, upstreams: () => number[]): Promise<Server> {
  let next = 0;
  const server = createServer((req, res) => {
    const ports = upstreams();
    const target = ports[next++ % ports.length] ?? 0;
    const up = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
    res.on('close', () => up.destroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  const port = await freePort();
  front = `http://127.0.0.1:${port}`;
  // Both servers answer to the one origin browsers use; the first one (the leader) can be paused.
  // A short stream, so that a server frozen for one batch finds part of it trimmed.
  stack = await bootStack({ workers: 1, serverEnv: { PUBLIC_ORIGIN: front, TEST_PAUSE_DIR: pauseDir, USER_MAX_RUNNING: '8' }, env: { EVENT_STREAM_MAXLEN: '20' } });
  const secondPort = await freePort();
  const { TEST_PAUSE_DIR: _paused, ...env } = stack.server.env;
  second = await startApp('server', { port: secondPort, label: 'server-2', logFile: join(stack.dir, 'logs', 'server-2.log'), env: { ...env, PORT: String(secondPort) } });
  proxy = await roundRobin(port, () => [stack.server.port, second.port]);
});
afterAll(async () => {
  proxy?.close();
  proxy?.closeAllConnections();
  await second?.stop();
  await stack?.stop();
  rmSync(pauseDir, { recursive: true, force: true });
});

/** The same signed-in user, talking to one server directly (as the proxy would forward it). */
function via(user: User, url: string): User {
  const direct = new User(url, front);
  direct.cookie = user.cookie;
  return direct;
}

async function isLeader(url: string): Promise<boolean> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return /^zpub_leader 1$/m.test(text);
}

describe('two servers behind one port', () => {
  it('each lists and streams the tasks created through the other', async () => {
    const user = await User.register(front);
    const account = await user.sandboxAccount();
    const [a, b] = [via(user, stack.server.url), via(user, second.url)];
    const onA = a.record();
    const onB = b.record();
    await Promise.all([onA.started, onB.started]);
    const { taskId: fromA } = await a.api.task.create.mutate({ accountId: account.id, title: '经由服务器一', content: '正文' });
    const { taskId: fromB } = await b.api.task.create.mutate({ accountId: account.id, title: '经由服务器二', content: '正文' });
    // Each server's list has both at once; each subscription gets both tasks' events.
    expect((await b.api.task.list.query({ limit: 10 })).items.map((r) => r.id)).toContain(fromA);
    expect((await a.api.task.list.query({ limit: 10 })).items.map((r) => r.id)).toContain(fromB);
    for (const rec of [onA, onB]) {
      await rec.until((es) => [fromA, fromB].every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 120_000, 'both tasks to end');
      rec.stop();
      expect([fromA, fromB].map((id) => rec.of(id).at(-1)?.status)).toEqual(['success', 'success']);
    }
    // Through the one port, requests alternate between the servers: every answer lists both.
    const totals = [];
    for (let i = 0; i < 4; i++) totals.push((await user.api.task.list.query({ limit: 10 })).total);
    expect(totals).toEqual([2, 2, 2, 2]);
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(2);
  });

  it('keeps a deposed leader\'s late projection round from regressing a task', async () => {
    expect(await isLeader(stack.server.url)).toBe(true);
    const user = await User.register(front);
    const account = await user.sandboxAccount();
    // The editor page loads slowly, so the task is still running when the leader is paused.
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 6000, times: 1, author: account.name });
    const b = via(user, second.url);
    const rec = b.record();
    await rec.started;
    const { taskId } = await b.api.task.create.mutate({ accountId: account.id, title: '迟到的投影', content: '正文' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'login'), 60_000, 'the login stage');
    // The leader reads its next round (the editor stage), then holds it unwritten.
    await writeFile(join(pauseDir, 'projector-write'), '');
    await waitFor(async () => (await readFile(stack.server.logFile, 'utf8')).includes('"point":"projector-write"'), 'the leader to hold a round', 60_000);
    stack.server.signal('SIGSTOP');
    try {
      await waitFor(() => isLeader(second.url), 'the second server to take the lease', 30_000);
      await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 90_000, 'the task to end');
      const db = await stack.db();
      const id = new mongoose.Types.ObjectId(taskId);
      await waitFor(async () => (await db.collection('tasks').findOne({ _id: id }))?.status === 'success', 'the new leader to project the end', 30_000);
    } finally {
      await rm(join(pauseDir, 'projector-write'), { force: true });
      stack.server.signal('SIGCONT');
    }
    // The moment the late round would have been written: the old leader drops it.
    await waitFor(async () => (await readFile(stack.server.logFile, 'utf8')).includes('projection round dropped'), 'the old leader to give up its round', 30_000);
    rec.stop();
    const final = rec.of(taskId).at(-1);
    const doc = await (await stack.db()).collection('tasks').findOne({ _id: new mongoose.Types.ObjectId(taskId) });
    expect(doc).toMatchObject({ status: 'success', v: final?.v, progress: 100 });
    expect((await via(user, stack.server.url).api.task.byId.query({ id: taskId })).status).toBe('success');
  });

  it('repairs the rows of a server that stood still while the stream was trimmed past it', async () => {
    // The first server no longer leads (the test before deposed it): freezing it stops no work.
    expect(await isLeader(second.url)).toBe(true);
    const user = await User.register(front);
    const account = await user.sandboxAccount();
    const b = via(user, second.url);
    const rec = b.record();
    await rec.started;
    stack.server.signal('SIGSTOP');
    let ids: string[] = [];
    try {
      const batch = await b.api.task.createBatch.mutate({ accountId: account.id, articles: Array.from({ length: 20 }, (_, i) => ({ title: `冻结期间 ${i}`, content: '正文' })) });
      ids = batch.created.map((c) => c.taskId);
      await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 240_000, '20 tasks to end');
    } finally {
      stack.server.signal('SIGCONT');
    }
    rec.stop();
    await waitFor(async () => (await readFile(stack.server.logFile, 'utf8')).includes('rows repaired after a gap in the event stream'), 'the first server to repair its rows', 60_000);
    const page = await via(user, stack.server.url).api.task.list.query({ limit: 50 });
    expect(page.total).toBe(20);
    expect(page.items.map((r) => r.status)).toEqual(ids.map(() => 'success'));
    const metrics = await (await fetch(`${stack.server.url}/metrics`)).text();
    expect(Number(/^zpub_stream_follower_gaps_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });
});
