import { createCallerFactory, router } from '../trpc';
import { accountRouter } from './account';
import { authRouter } from './auth';
import { statsRouter } from './stats';
import { taskRouter } from './task';
import { tokenRouter } from './token';
import { workerRouter } from './worker';

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  task: taskRouter,
  token: tokenRouter,
  stats: statsRouter,
  worker: workerRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
