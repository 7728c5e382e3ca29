// After `vite build`: the gzip size of what the first page load needs (the entry script, every
// chunk it imports statically, and the stylesheets index.html links), against the budget.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 150;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const entries = [...html.matchAll(/<script[^>]+src="\/([^"]+)"/g)].map((m) => m[1]);
const styles = [...html.matchAll(/<link[^>]+rel="(?:stylesheet|modulepreload)"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]);

const seen = new Set();
function walk(file) {
  if (seen.has(file)) return;
  seen.add(file);
  if (!file.endsWith('.js')) return;
  const code = readFileSync(join(dist, file), 'utf8');
  // Static imports only (`import "./x.js"`, `from "./x.js"`); dynamic import() is loaded later.
  for (const m of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[^'"()]*?\sfrom\s*)?["']\.\/([^"']+\.js)["']/g)) {
    walk(join(dirname(file), m[1]));
  }
}
for (const f of [...entries, ...styles]) walk(f);

let total = 0;
for (const f of seen) {
  const gz = gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  total += gz;
  console.log(`${(gz / 1024).toFixed(2).padStart(8)} kB gzip  ${f}`);
}
const kb = total / 1024;
console.log(`initial bundle: ${kb.toFixed(2)} kB gzip (budget ${BUDGET_KB} kB)`);
if (kb > BUDGET_KB) {
  console.error(`The initial bundle is over the ${BUDGET_KB} kB budget.`);
  process.exit(1);
}
