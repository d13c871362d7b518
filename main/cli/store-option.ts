import { resolve } from 'node:path';
import { str, UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import type { CliIo } from './io.js';
import { defaultDbPath } from '../paths.js';
import { openStore, type Store } from '../store/store.js';

/** `--db DB` (and the original's `-d/--db-path`): which shared store a command uses. */
export const DB_FLAGS: FlagSpec[] = [
  { name: 'db', type: 'string' },
  { name: 'db-path', short: 'd', type: 'string' },
];

/** `--audit-log DB` (the original's name; `--db` too): the log a read-only audit command reads. */
export const AUDIT_LOG_FLAGS: FlagSpec[] = [
  { name: 'audit-log', short: 'a', type: 'string' },
  { name: 'db', type: 'string' },
];

/** The audit log a read-only command was given, or the default store. */
export function auditLogPathOf(args: ParsedArgs, io: CliIo): string {
  return resolve(io.cwd, str(args, 'audit-log') ?? str(args, 'db') ?? defaultDbPath(io.env));
}

/** The store path a command was given, or the default one. */
export function dbPathOf(args: ParsedArgs, io: CliIo): string {
  const given = str(args, 'db') ?? str(args, 'db-path');
  // SQLite's special name would otherwise become a file called `:memory:` here; and a store no
  // other process can open would hide the queue and the audit chain from the console.
  if (given === ':memory:') throw new UsageError('`--db :memory:` cannot be used: the store is a file shared by the console, the CLI and every gateway');
  return resolve(io.cwd, given ?? defaultDbPath(io.env));
}

/** Opens the store for one command and closes it afterwards, whatever happens. */
export async function withStore<T>(args: ParsedArgs, io: CliIo, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(dbPathOf(args, io), { env: io.env });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Seconds from now as a short human duration: `4m 10s`, `2h 5m`, `expired`. */
export function timeLeft(until: number | null, now = Date.now() / 1000): string {
  if (until === null) return 'no expiry';
  let s = Math.round(until - now);
  if (s <= 0) return 'expired';
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}
