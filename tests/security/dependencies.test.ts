/**
 * Dependencies: the lockfile is committed and installs are frozen to it; the server, worker and CLI
 * run with production dependencies only, so everything their built code imports (and everything
 * @zpub/shared's built code imports) must be a production dependency of that package. tsup
 * bundles only a package's own code; the source maps prove nothing from node_modules slipped in.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '@zpub/devstack';
import { describe, expect, it } from 'vitest';

const root = repoRoot();

/** Bare module specifiers of an ES module or a bundle (static, dynamic and require'd). */
function specifiers(code: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\bimport\s+(?:[\w*${}\s,]+\s+from\s+)?["']([^"']+)["']/g,
    /\bexport\s+(?:\*|\{[^}]*\})\s+from\s+["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1]) found.add(m[1]);
  return [...found].filter((s) => !s.startsWith('.') && !s.startsWith('/'));
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function filesOf(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => join(dir, f));
}

describe('the lockfile', () => {
  it('is committed', () => {
    expect(() => execFileSync('git', ['ls-files', '--error-unmatch', 'pnpm-lock.yaml'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });

  it('is what ./dev (and so CI) installs from, frozen', () => {
    const dev = readFileSync(join(root, 'dev'), 'utf8');
    const installs = dev.split('\n').filter((l) => /\bpnpm\s+install\b/.test(l) && !l.trim().startsWith('#'));
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) if (!/say |die /.test(line)) expect(line).toContain('--frozen-lockfile');
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toContain('./dev test');
  });
});

describe.each(['apps/server', 'apps/worker', 'packages/shared', 'packages/cli'])('%s at run time', (pkgDir) => {
  const dir = join(root, pkgDir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const prod = new Set(Object.keys(pkg.dependencies ?? {}));
  const dist = join(dir, 'dist');

  it('imports only Node built-ins and its own production dependencies', () => {
    expect(existsSync(dist), `${pkgDir} is not built`).toBe(true);
    const offenders: string[] = [];
    const used = new Set<string>();
    for (const file of filesOf(dist, '.js')) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (builtins.has(spec) || builtins.has(spec.split('/')[0] ?? '')) continue;
        const name = packageOf(spec);
        used.add(name);
        if (!prod.has(name)) offenders.push(`${file.slice(root.length + 1)} imports ${spec} (${pkg.devDependencies?.[name] ? 'a devDependency' : 'not a dependency'})`);
      }
    }
    expect(offenders).toEqual([]);
    // The check saw real imports.
    expect(used.size).toBeGreaterThan(2);
  });

  it('bundles no code from node_modules', () => {
    const bundled = filesOf(dist, '.js.map').flatMap((map) =>
      ((JSON.parse(readFileSync(map, 'utf8')) as { sources?: string[] }).sources ?? []).filter((s) => s.includes('node_modules')),
    );
    expect(bundled).toEqual([]);
  });
});
