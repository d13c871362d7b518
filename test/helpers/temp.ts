import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh CAPFENCE_HOME and database path in a temp folder. */
export function tempHome(prefix = 'capfence-test-'): { home: string; db: string; env: Record<string, string | undefined> } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, db: join(home, 'capfence.db'), env: { ...process.env, CAPFENCE_HOME: home } };
}

/** The built package root (tests that spawn processes run the built code). */
export const DIST = join(import.meta.dirname, '../../dist/node');
