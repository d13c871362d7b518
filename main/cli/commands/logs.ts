import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { bool, num, parseArgs, str, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { AUDIT_LOG_FLAGS, auditLogPathOf } from '../store-option.js';
import { jsonOut } from '../json-out.js';
import { auditLayout } from '../../store/audit-layout.js';
import { fieldEquals, rowToEntry, type AuditEntry } from '../../store/audit-log.js';

type Row = Record<string, unknown>;

/** Reads entries from either format, newest first, read-only. */
function readEntries(path: string, opts: { agent?: string; limit: number; beforeSeq?: number }): { format: 'capfence' | 'legacy-python'; rows: Row[] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const layout = auditLayout(db);
    if (layout === 'chain' || layout === 'columns') {
      const agent = opts.agent === undefined ? undefined : layout === 'chain' ? fieldEquals('actor', opts.agent) : { sql: 'e.actor = ?', args: [opts.agent] };
      const where = [agent?.sql, opts.beforeSeq !== undefined ? 'e.seq < ?' : null].filter(Boolean);
      const args = [...(agent?.args ?? []), ...(opts.beforeSeq !== undefined ? [opts.beforeSeq] : [])];
      const rows = db
        .prepare(`SELECT e.*, p.payload, p.redacted_at FROM audit_entries e LEFT JOIN audit_payloads p ON p.seq = e.seq ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.seq DESC LIMIT ?`)
        .all(...args, opts.limit) as Row[];
      return { format: 'capfence', rows };
    }
    if (layout === 'legacy') {
      const rows = (opts.agent
        ? db.prepare('SELECT * FROM audit_events WHERE agent_id = ? ORDER BY timestamp DESC LIMIT ?').all(opts.agent, opts.limit)
        : db.prepare('SELECT * FROM audit_events ORDER BY timestamp DESC LIMIT ?').all(opts.limit)) as Row[];
      return { format: 'legacy-python', rows };
    }
    throw new Error('no audit table (`audit_entries` or `audit_events`) in this database');
  } finally {
    db.close();
  }
}

const iso = (t: number) => new Date(t * 1000).toISOString();

/** `capfence logs`: the newest audit entries (the original's command; both log formats). */
export const logsCommand: Command = {
  path: ['logs'],
  summary: 'Show the newest audit entries',
  usage: 'capfence logs [--audit-log DB] [--agent A] [--limit N] [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, [
      ...AUDIT_LOG_FLAGS,
      { name: 'agent', type: 'string' },
      { name: 'limit', type: 'string' },
      { name: 'json', type: 'boolean' },
    ]);
    const path = auditLogPathOf(args, io);
    if (!existsSync(path)) {
      if (!bool(args, 'json')) io.stdout(`Audit log not found at ${path}\n`);
      return ExitCode.ok;
    }
    const limit = num(args, 'limit') ?? 50;
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError('`--limit` must be a positive whole number');
    const agent = str(args, 'agent');
    const { format, rows } = readEntries(path, { limit, ...(agent ? { agent } : {}) });
    if (bool(args, 'json')) {
      io.stdout(`${jsonOut(format === 'capfence' ? rows.map(rowToEntry) : rows)}\n`);
      return ExitCode.ok;
    }
    for (const r of rows) {
      if (format === 'legacy-python') {
        io.stdout(`[${r['timestamp']}] ${r['decision'] === 'pass' ? 'PASS' : 'FAIL'} Agent: ${r['agent_id']} Tool: ${r['task_context']} Category: ${r['risk_category']}\n`);
      } else {
        const e = rowToEntry(r);
        io.stdout(`#${e.seq} [${iso(e.at)}] ${e.decision.toUpperCase().padEnd(16)} Agent: ${e.actor} Tool: ${e.tool} Capability: ${e.capability} Reason: ${e.reason}${e.rule ? ` Rule: ${e.rule}` : ''}\n`);
      }
    }
    return ExitCode.ok;
  },
};

const CSV_COLUMNS: (keyof AuditEntry)[] = ['seq', 'at', 'kind', 'actor', 'capability', 'tool', 'decision', 'authorized', 'reason', 'rule', 'policyHash', 'environment', 'sessionId', 'approvalId', 'approver', 'approverReason', 'payloadCommitment', 'prevHash', 'entryHash', 'payload'];

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Cells that a spreadsheet would run as a formula are prefixed (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Renders entries (oldest first) as JSONL or CSV, exactly as `capfence audit export` writes them;
 * the console's export uses it too. Legacy rows keep their own columns.
 */
export function renderAuditExport(entries: readonly Record<string, unknown>[], format: 'jsonl' | 'csv', kind: 'capfence' | 'legacy-python' = 'capfence'): string {
  if (format === 'jsonl') return entries.map((e) => jsonOut(e, 0)).join('\n') + (entries.length ? '\n' : '');
  const cols = kind === 'capfence' ? (CSV_COLUMNS as string[]) : Object.keys(entries[0] ?? {});
  return `${cols.join(',')}\n${entries.map((e) => cols.map((c) => csvCell(e[c])).join(',')).join('\n')}${entries.length ? '\n' : ''}`;
}

/** `capfence audit export`: the whole log as JSONL or CSV, oldest first. */
export const auditExportCommand: Command = {
  path: ['audit', 'export'],
  summary: 'Export the audit log as JSONL or CSV',
  usage: 'capfence audit export [--audit-log DB] --format jsonl|csv [--out FILE]',
  async run(argv, io) {
    const args = parseArgs(argv, [
      ...AUDIT_LOG_FLAGS,
      { name: 'format', type: 'string' },
      { name: 'out', short: 'o', type: 'string' },
    ]);
    const format = str(args, 'format') ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new UsageError('`--format` is `jsonl` or `csv`');
    const path = auditLogPathOf(args, io);
    if (!existsSync(path)) {
      io.stderr(`error: audit log \`${path}\` not found\n`);
      return ExitCode.usage;
    }
    const { format: kind, rows } = readEntries(path, { limit: Number.MAX_SAFE_INTEGER });
    rows.reverse();
    const entries: Record<string, unknown>[] = kind === 'capfence' ? rows.map((r) => ({ ...rowToEntry(r) })) : rows;
    const text = renderAuditExport(entries, format, kind);
    const out = str(args, 'out');
    if (out) {
      writeFileSync(resolve(io.cwd, out), text);
      io.stderr(`wrote ${entries.length} entries to ${out}\n`);
    } else io.stdout(text);
    return ExitCode.ok;
  },
};
