// @zpub/devstack: start and stop the whole system on one machine (launcher, tests, benchmarks).
// Every child runs in its own process group, carries a tag in its environment, and is killed
// with its owner however the owner ends (see proc.ts).
export { freePort, isPortFree, canConnect, whoListens } from './ports.js';
export { tempDir, type TempDir } from './temp.js';
export { ensureBinary, ensureChromium, ensureFerretdb, ferretdbCachePath, FERRETDB_VERSION, type EnsureFerretOptions } from './binaries.js';
export { startRedis, redisPing, type RedisHandle, type RedisOptions } from './redis.js';
export { startFerret, mongoHello, indexFerretIds, type FerretHandle, type FerretOptions } from './ferret.js';
export { startApp, appEntry, APP_ENV_VARS, type AppHandle, type AppName, type StartAppOptions } from './app.js';
export { startStack, withDatabase, type Stack, type StackOptions } from './stack.js';
export { killAllSync, reapOrphans, StartError, TAG_VAR, type ExitInfo, type ProcessHandle } from './proc.js';
export { repoRoot, cacheDir, type Env } from './util.js';
