import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { parsePyJson, pyJsonDumps } from '../../shared/py/json.js';
import { pyFloat } from '../../shared/py/values.js';
import { readPublicKey } from './keys.js';
import type { VerifyOptions, VerifyReport } from './verify.js';

const LEGACY_FIELDS = ['agent_id', 'task_context', 'risk_category', 'decision', 'risk_score', 'threshold', 'payload_hash', 'reason', 'latency_ms', 'timestamp'] as const;
const EXTENDED_FIELDS = ['actor', 'action', 'resource', 'environment', 'capability', 'approval_state', 'policy_decision', 'execution_result', 'metadata_json'] as const;
const REQUIRED = ['id', 'agent_id', 'decision', 'timestamp'];

type Row = Record<string, unknown>;

/** Python's `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`. */
const canonical = (v: unknown) => pyJsonDumps(v, { sortKeys: true, separators: [',', ':'], ensureAscii: false });
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const short = (h: unknown) => `'${String(h ?? '').slice(0, 16)}...'`;

/** Whether a row's hash covers the extended columns: its metadata_json is in canonical form. */
function extendedIncluded(row: Row): boolean {
  const m = row['metadata_json'];
  if (typeof m !== 'string' || m === '') return false;
  const parsed = parsePyJson(m);
  return parsed.ok && canonical(parsed.value) === m;
}

function hashedFields(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of LEGACY_FIELDS) out[f] = row[f] ?? null;
  if (extendedIncluded(row)) for (const f of EXTENDED_FIELDS) out[f] = row[f] ?? null;
  return out;
}

/**
 * Verifies a log written by the original Python CapFence (`audit_events`) exactly as its
 * `capfence verify` does — same order, same checks, same messages — but read-only: rows it would
 * re-hash on open (blank `entry_hash`) are re-hashed in memory, never in the file.
 */
export function verifyLegacyLog(db: Database.Database, opts: VerifyOptions): VerifyReport {
  const warnings: string[] = [];
  const columns = db.prepare('PRAGMA table_info(audit_events)').all() as { name: string; type: string }[];
  const realColumns = new Set(columns.filter((c) => /REAL|FLOA|DOUB/i.test(c.type)).map((c) => c.name));
  const rows = (db.prepare('SELECT * FROM audit_events ORDER BY id').all() as Row[]).map((r) => {
    // Python reads REAL columns as floats: keep their float-ness for the hash text.
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) out[k] = realColumns.has(k) && typeof v === 'number' ? pyFloat(v) : v;
    return out;
  });

  // The original back-fills unhashed rows on open, chaining them only among themselves.
  let migratedPrev = '';
  let migrated = 0;
  for (const r of rows) {
    if (r['entry_hash'] !== '' && r['entry_hash'] !== null && r['entry_hash'] !== undefined) continue;
    const ts = r['timestamp'];
    const fields: Record<string, unknown> = {};
    for (const f of LEGACY_FIELDS) fields[f] = r[f] ?? null;
    fields['timestamp'] = pyFloat(Number(Number(ts instanceof Number ? ts.valueOf() : ts).toFixed(6)));
    r['prev_hash'] = migratedPrev;
    r['entry_hash'] = sha256(canonical({ ...fields, prev_hash: migratedPrev }));
    r['timestamp'] = fields['timestamp'];
    migratedPrev = r['entry_hash'] as string;
    migrated++;
  }
  if (migrated > 0) warnings.push(`${migrated} row(s) had no hash; they were hashed in memory as the original does on open (the file was not changed), so they prove nothing about their own history`);

  const ordered = [...rows].sort((a, b) => Number(a['timestamp']) - Number(b['timestamp']) || Number(a['id']) - Number(b['id']));
  const errors: string[] = [];
  let expectedPrev = '';
  ordered.forEach((row, i) => {
    const missing = REQUIRED.filter((k) => row[k] === undefined);
    if (missing.length > 0) {
      errors.push(`Row ${i}: missing required keys [${missing.map((k) => `'${k}'`).join(', ')}]`);
      return;
    }
    const stored = String(row['prev_hash'] ?? '');
    if (stored !== expectedPrev) errors.push(`Entry ${row['id']} (index ${i}): prev_hash mismatch. Expected ${short(expectedPrev)}, got ${short(stored)}`);
    const recomputed = sha256(canonical({ ...hashedFields(row), prev_hash: row['prev_hash'] ?? '' }));
    if (recomputed !== row['entry_hash']) errors.push(`Entry ${row['id']} (index ${i}): entry_hash mismatch. Expected ${short(recomputed)}, got ${short(row['entry_hash'])}`);
    expectedPrev = String(row['entry_hash'] ?? '');
  });

  const signed = ordered.filter((r) => typeof r['signature'] === 'string' && r['signature'] !== '');
  if (signed.length > 0) {
    const key = legacyKey(opts);
    if (!key) errors.push('Signed audit entries exist, but no audit public key is available.');
    else {
      for (const r of signed) {
        const message = canonical({ ...hashedFields(r), prev_hash: r['prev_hash'] ?? '', entry_hash: r['entry_hash'] ?? '' });
        let ok = false;
        try {
          ok = verifySignature(null, Buffer.from(message), key, Buffer.from(String(r['signature']), 'base64'));
        } catch {
          ok = false;
        }
        if (!ok) errors.push(`Entry ${r['id']}: signature verification failed.`);
      }
    }
  }
  warnings.push('this log has no signed checkpoint: deletion of its newest entries or a rewrite of the whole chain cannot be ruled out');
  return {
    valid: errors.length === 0,
    format: 'legacy-python',
    entries: rows.length,
    checkpoints: 0,
    errors: errors.map((message) => ({ seq: seqOf(message), kind: 'legacy' as const, message })),
    warnings,
  };
}

function seqOf(message: string): number | null {
  const m = /^Entry (\d+)/.exec(message);
  return m ? Number(m[1]) : null;
}

/** The original keeps its public key at `~/.capfence/keys/audit_signing.pub` (base64 raw). */
function legacyKey(opts: VerifyOptions): KeyObject | undefined {
  if (opts.publicKeyPath) return readPublicKey(opts.publicKeyPath);
  const path = join(opts.home, 'keys', 'audit_signing.pub');
  return existsSync(path) ? readPublicKey(path) : undefined;
}

