import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '../../..');

/** True when a source under main/ or shared/ has no built output, or a newer one than its output. */
function stale(): boolean {
  const walk = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) => {
      const p = join(d, e.name);
      if (e.isDirectory()) return walk(p);
      if (!e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) return false;
      const out = join(ROOT, 'dist/node', relative(ROOT, p)).replace(/\.ts$/, '.js');
      return !existsSync(out) || statSync(out).mtimeMs < statSync(p).mtimeMs;
    });
  return walk(join(ROOT, 'main')) || walk(join(ROOT, 'shared'));
}

/**
 * Builds `dist/node` when it is stale (these tests run the built CLI and package). Test files run in
 * parallel processes: the same lock folder as the other suites that build makes one build at a time.
 */
export function ensureBuilt(): void {
  if (stale()) {
    const lock = join(tmpdir(), 'capfence-mcp-test-build.lock');
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
        if (Date.now() > deadline) throw new Error(`waited too long for ${lock}`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      }
    }
    try {
      // Someone else's work in progress may not typecheck at this moment: tsc still emits.
      if (stale()) spawnSync('npx', ['tsc', '-p', 'tsconfig.main.build.json'], { cwd: ROOT, stdio: 'ignore' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  for (const f of ['dist/node/main/cli/main.js', 'dist/node/main/index.js', 'dist/node/main/gate/index.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`the build did not produce ${f}`);
  }
}
