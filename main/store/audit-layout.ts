import type Database from 'better-sqlite3';

/**
 * How a file keeps its audit log: `chain`, the canonical texts (migration 9 on); `columns`, one
 * column per field (before 9; verify opens files read-only, so it never migrates them); `legacy`,
 * the original Python CapFence's `audit_events`.
 */
export function auditLayout(db: Database.Database): 'chain' | 'columns' | 'legacy' | 'none' {
  const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  if (tables.has('audit_chain')) return 'chain';
  if (tables.has('audit_entries')) return 'columns';
  return tables.has('audit_events') ? 'legacy' : 'none';
}
