// Runs an app's dist/main.js with the V8 CPU profiler at hand (NODE_OPTIONS may not carry
// --cpu-prof). The profiler is off until the first SIGUSR2, so the app runs unprofiled and
// measured phases are not slowed by it; each SIGUSR2 then toggles it: on, then off with the
// profile written to $PROFILE_OUT. A SIGUSR2 while the file $PROFILE_OUT.gc exists instead runs a
// full garbage collection (the inspector's, which also shrinks the heap), removes that file and
// writes $PROFILE_OUT.gc-done: memory readings then show what the app holds, not what V8 has not
// collected yet.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
await post('Profiler.enable');
await post('Profiler.setSamplingInterval', { interval: 1000 });
let running = false;
process.on('SIGUSR2', () => {
  const out = process.env.PROFILE_OUT ?? 'app.cpuprofile';
  if (existsSync(`${out}.gc`)) {
    rmSync(`${out}.gc`, { force: true });
    void post('HeapProfiler.collectGarbage').then(() => writeFileSync(`${out}.gc-done`, ''));
    return;
  }
  if (!running) {
    running = true;
    void post('Profiler.start');
    return;
  }
  running = false;
  void post('Profiler.stop').then(({ profile }) => {
    writeFileSync(`${out}.tmp`, JSON.stringify(profile));
    renameSync(`${out}.tmp`, out);
  });
});
await import(pathToFileURL(process.env.PROFILE_MAIN ?? '').href);
