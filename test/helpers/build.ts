import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** True when a source under main/ or shared/ has no built output, or a newer one than its output. */
function stale(): boolean {
  const walk = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) => {
      const p = join(d, e.name);
      if (e.isDirectory()) return walk(p);
      if (!/\.c?ts$/.test(e.name) || e.name.endsWith('.d.ts')) return false;
      const out = join(ROOT, 'dist/node', relative(ROOT, p)).replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs');
      return !existsSync(out) || statSync(out).mtimeMs < statSync(p).mtimeMs;
    });
  return walk(join(ROOT, 'main')) || walk(join(ROOT, 'shared'));
}

/**
 * Builds `dist/node` when it is stale: tests that spawn the CLI or a gateway run the built code.
 * `npm test` builds first, so this only works when a single test file is run after an edit. Test
 * files run in parallel processes; a folder is the lock, so one builds while the others wait.
 */
export function ensureBuilt(required: readonly string[] = ['dist/node/main/cli/main.js']): void {
  if (stale()) {
    const lock = join(tmpdir(), 'capfence-test-build.lock');
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        // A lock older than the longest build is left over from a killed run.
        if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
        if (Date.now() > deadline) throw new Error(`waited too long for ${lock}`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      }
    }
    try {
      if (stale()) spawnSync('npx', ['tsc', '-p', 'tsconfig.main.build.json'], { cwd: ROOT, stdio: 'ignore' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  for (const f of required) if (!existsSync(join(ROOT, f))) throw new Error(`the build did not produce ${f}`);
}
