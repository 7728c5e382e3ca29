/** The real stack for a test file, with the knobs tests turn most. */
import { startStack, type Stack, type StackOptions } from '@zpub/devstack';
import mongoose from 'mongoose';
import { SandboxClient } from './sandbox';

export interface TestStack extends Stack {
  sandboxApi: SandboxClient;
  /** A direct MongoDB connection to the stack's database, for asserting what was stored. */
  db(): Promise<mongoose.Connection>;
}

export async function bootStack(opts: StackOptions = {}): Promise<TestStack> {
  const stack = await startStack({
    logLevel: 'info',
    graceMs: 15_000,
    ...opts,
    sandboxEnv: { SANDBOX_DELAY_MS: '150', ...opts.sandboxEnv },
    serverEnv: { USER_MAX_RUNNING: '4', USER_MAX_PER_MINUTE: '1000', REGISTER_MAX_PER_MINUTE: '1000', RETRY_BACKOFF_MS: '500', ...opts.serverEnv },
    workerEnv: { SHUTDOWN_GRACE_MS: '10000', ...opts.workerEnv },
  });
  if (process.env.DEVSTACK_KEEP) console.log(`stack dir: ${stack.dir}`);
  let conn: mongoose.Connection | null = null;
  const stop = stack.stop.bind(stack);
  return Object.assign(stack, {
    sandboxApi: new SandboxClient(stack.urls.sandbox),
    async db() {
      conn ??= await mongoose.createConnection(stack.urls.mongo, { serverSelectionTimeoutMS: 5000 }).asPromise();
      return conn;
    },
    async stop() {
      await conn?.close().catch(() => undefined);
      await stop();
    },
    async [Symbol.asyncDispose]() {
      await conn?.close().catch(() => undefined);
      await stop();
    },
  });
}
