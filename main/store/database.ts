import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations.js';

/** The better-sqlite3 handle type, re-exported so callers need not import the driver. */
export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** Milliseconds a writer waits for another process's lock before failing (fail closed). */
  busyTimeoutMs?: number;
  /** `NORMAL` (default, WAL-safe) or `FULL` (fsync on every commit). */
  synchronous?: 'NORMAL' | 'FULL';
  readonly?: boolean;
  /** A better-sqlite3 native binding path (the Electron-ABI build); the Node build otherwise. */
  nativeBinding?: string;
  /** Caps the file's size in pages (a quota; also how tests simulate a full disk). */
  maxPageCount?: number;
}

/**
 * Opens (creating if needed) the one SQLite file every process shares, in WAL mode, and applies
 * pending migrations. Throws on a corrupt or unreadable file: callers turn that into a deny.
 */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): SqliteDatabase {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.readonly ?? false,
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
  });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      applyMigrations(db);
      if (opts.maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.floor(opts.maxPageCount)}`);
    }
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Applies every migration newer than the file's `user_version`, each in its own transaction. */
export function applyMigrations(db: SqliteDatabase, upTo = Infinity): number {
  let applied = 0;
  for (const m of migrations) {
    if (m.version > upTo) break;
    // Re-read inside an IMMEDIATE transaction: two processes opening a new file at once must not
    // both apply the same migration.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= m.version) return;
      if (current !== m.version - 1) throw new Error(`database schema version ${current} cannot step to migration ${m.version} (${m.name})`);
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      applied++;
    }).immediate();
  }
  return applied;
}

/** The schema version of an open database. */
export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}
