// Runs an app's dist/main.js under the V8 CPU profiler (NODE_OPTIONS may not carry --cpu-prof).
// SIGUSR2 writes the profile so far to $PROFILE_OUT and starts a new one.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
await post('Profiler.enable');
await post('Profiler.setSamplingInterval', { interval: 1000 });
await post('Profiler.start');
process.on('SIGUSR2', () => {
  void post('Profiler.stop').then(async ({ profile }) => {
    const out = process.env.PROFILE_OUT ?? 'app.cpuprofile';
    writeFileSync(`${out}.tmp`, JSON.stringify(profile));
    renameSync(`${out}.tmp`, out);
    await post('Profiler.start');
  });
});
await import(pathToFileURL(process.env.PROFILE_MAIN ?? '').href);
