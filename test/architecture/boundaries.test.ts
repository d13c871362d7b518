import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|cts|mts)$/.test(name) ? [p] : [];
  });
}

const importsOf = (path: string): string[] => [...readFileSync(path, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);

describe('imports go one way', () => {
  it('shared/ imports neither node:*, electron, main/ nor renderer/', () => {
    const bad: string[] = [];
    for (const f of files(join(ROOT, 'shared'))) {
      for (const spec of importsOf(f)) {
        const builtin = spec.startsWith('node:') || ['fs', 'path', 'crypto', 'os', 'child_process', 'electron', 'better-sqlite3'].includes(spec);
        const upward = spec.includes('/main/') || spec.includes('/renderer/') || spec.startsWith('../../main') || spec.startsWith('../../renderer');
        if (builtin || upward) bad.push(`${relative(ROOT, f)} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
  it('only main/electron/ imports electron', () => {
    const bad = files(join(ROOT, 'main'))
      .filter((f) => !relative(ROOT, f).startsWith('main/electron/'))
      .filter((f) => importsOf(f).includes('electron'))
      .map((f) => relative(ROOT, f));
    expect(bad).toEqual([]);
  });
});
