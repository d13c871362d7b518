import type { SqliteDatabase } from './database.js';

/** One schema step. Migrations are numbered from 1, append-only, never edited once released. */
export interface Migration {
  version: number;
  name: string;
  up: (db: SqliteDatabase) => void;
}

/**
 * Every migration, in order. Add new ones at the end with the next number; each has a test in
 * `test/main/store/migrations.test.ts`.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'policy versions',
    up: (db) =>
      db.exec(`
        CREATE TABLE policy_versions (
          hash TEXT PRIMARY KEY,          -- sha256 of the exact policy text
          policy_id TEXT NOT NULL,
          source_path TEXT,
          text TEXT NOT NULL,
          created_at REAL NOT NULL
        );
      `),
  },
  {
    version: 2,
    name: 'change feed',
    // Every write that another process may want to see (an audit entry, an approval, a grant, a
    // policy save) also inserts a row here in the same transaction, so watchers in other processes
    // notice it by polling `PRAGMA data_version` and reading `changes` past their cursor.
    up: (db) =>
      db.exec(`
        CREATE TABLE changes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL,             -- 'audit' | 'approval' | 'grant' | 'policy' | 'server'
          ref TEXT NOT NULL,              -- the changed row's id (audit seq, approval id, ...)
          at REAL NOT NULL                -- unix seconds
        );
      `),
  },
];
