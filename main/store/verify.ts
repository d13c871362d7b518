import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { checkpointMessage, entryHash, externalCheckpointPath, GENESIS, HASHED_COLUMNS } from './audit-log.js';
import { keyIdOf, readPublicKey } from './keys.js';
import { verifyLegacyLog } from './verify-legacy.js';

/** Kinds of break `verify` tells apart. */
export type BreakKind = 'modified' | 'deleted' | 'inserted' | 'reordered' | 'truncated_tail' | 'bad_signature' | 'unknown_key' | 'legacy';

export interface VerifyProblem {
  seq: number | null;
  kind: BreakKind;
  message: string;
}

export interface VerifyReport {
  valid: boolean;
  format: 'capfence' | 'legacy-python';
  entries: number;
  checkpoints: number;
  errors: VerifyProblem[];
  warnings: string[];
}

export interface VerifyOptions {
  /** A trusted public key file (PEM, or the original's base64 raw key). */
  publicKeyPath?: string;
  /** Where our keys and external checkpoints live (default `$CAPFENCE_HOME`). */
  home: string;
  onProgress?: (done: number, total: number) => void;
}

type RawRow = [number, number, string, string, string, string, string, number, string, string | null, string, string | null, string | null, string | null, string | null, string | null, string, string, string];

const toFields = (r: RawRow, seq = r[0]) => ({
  seq,
  at: r[1],
  kind: r[2],
  actor: r[3],
  capability: r[4],
  tool: r[5],
  decision: r[6],
  authorized: r[7] === 1,
  reason: r[8],
  rule: r[9],
  policyHash: r[10],
  environment: r[11],
  sessionId: r[12],
  approvalId: r[13],
  approver: r[14],
  approverReason: r[15],
  payloadCommitment: r[16],
  prevHash: r[17],
});

/**
 * Verifies an audit log without modifying it (opened read-only): every entry's hash, every link,
 * every seq, and every signed checkpoint, in the database and the copy kept outside it. Reports
 * every problem with the first broken seq and its kind. Logs written by the original Python
 * CapFence (`audit_events`) are verified by its rules.
 */
export function verifyAuditLog(dbPath: string, opts: VerifyOptions): VerifyReport {
  const abs = resolve(dbPath);
  const db = new Database(abs, { readonly: true, fileMustExist: true });
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    if (!tables.has('audit_entries') && tables.has('audit_events')) return verifyLegacyLog(db, opts);
    if (!tables.has('audit_entries')) {
      return { valid: false, format: 'capfence', entries: 0, checkpoints: 0, errors: [{ seq: null, kind: 'modified', message: 'no audit table (`audit_entries` or `audit_events`) in this database' }], warnings: [] };
    }
    return verifyOurs(db, abs, opts);
  } finally {
    db.close();
  }
}

function verifyOurs(db: Database.Database, dbPath: string, opts: VerifyOptions): VerifyReport {
  const errors: VerifyProblem[] = [];
  const warnings: string[] = [];
  const total = (db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number) ?? 0;
  const stmt = db.prepare(`SELECT ${HASHED_COLUMNS.join(', ')}, entry_hash FROM audit_entries ORDER BY seq`).raw();

  let pp: { seq: number; hash: string } | undefined;
  let p: { seq: number; hash: string; valid: boolean; shift: number } | undefined;
  let lastShift = 0;
  let n = 0;
  const hashAt = new Map<number, string>();
  const checkpointSeqs = new Set((db.prepare('SELECT seq FROM audit_checkpoints').pluck().all() as number[]) ?? []);
  for (const raw of stmt.iterate() as IterableIterator<RawRow>) {
    const seq = raw[0];
    const stored = raw[18];
    if (checkpointSeqs.has(seq)) hashAt.set(seq, stored);
    const valid = entryHash(toFields(raw)) === stored;
    const expectedSeq = p ? p.seq + 1 : 1;
    let shift = 0;
    if (seq !== expectedSeq && seq > expectedSeq) {
      const from = expectedSeq;
      errors.push({ seq: from, kind: 'deleted', message: seq - 1 === from ? `entry ${from} is missing (deleted)` : `entries ${from}..${seq - 1} are missing (deleted)` });
    } else if (!valid) {
      // Moved rows hash correctly under the seq they were written with.
      for (const d of [1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8]) {
        if (seq + d >= 1 && entryHash(toFields(raw, seq + d)) === stored) {
          shift = -d;
          break;
        }
      }
      if (shift === 0) errors.push({ seq, kind: 'modified', message: `entry ${seq} was modified: its content no longer matches its hash` });
      else if (shift < 0) errors.push({ seq, kind: 'reordered', message: `entry ${seq} was written as entry ${seq - shift}: entries were reordered` });
      else if (lastShift === -shift) {
        // The other half of a swap, already reported.
      } else if (shift !== lastShift) {
        errors.push({ seq: seq - shift, kind: 'inserted', message: shift === 1 ? `entry ${seq - shift} was inserted: later entries were renumbered to make room` : `entries ${seq - shift}..${seq - 1} were inserted` });
      }
    } else if (!p || p.valid) {
      // (After a broken row, the link to it proves nothing more.)
      const expectedPrev = p ? p.hash : GENESIS;
      if (raw[17] !== expectedPrev && seq === expectedSeq) {
        if (pp && raw[17] === pp.hash) errors.push({ seq: p?.seq ?? seq, kind: 'inserted', message: `entry ${p?.seq} is not part of the chain: it was inserted` });
        else if (!p) errors.push({ seq, kind: 'deleted', message: 'the first entry does not start the chain: earlier entries were deleted' });
        else if (p.valid && p.shift === 0) errors.push({ seq: p.seq, kind: 'modified', message: `entry ${p.seq} was rewritten: its hash differs from the one entry ${seq} recorded` });
      }
    }
    lastShift = shift;
    pp = p ? { seq: p.seq, hash: p.hash } : undefined;
    p = { seq, hash: stored, valid, shift };
    n++;
    if (opts.onProgress && n % 100_000 === 0) opts.onProgress(n, total);
  }
  if (opts.onProgress && n > 0) opts.onProgress(n, total);
  const lastSeq = p?.seq ?? 0;
  if (lastSeq > 0) hashAt.set(lastSeq, p?.hash ?? '');

  // Checkpoints: signatures, keys, and the heads they vouch for.
  const trusted = trustedKeys(db, opts, warnings);
  const cps = db.prepare('SELECT seq, head_hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq').all() as { seq: number; head_hash: string; at: number; key_id: string; signature: string }[];
  const external = readExternal(opts.home, dbPath, warnings);
  const all = [...cps.map((c) => ({ ...c, where: 'checkpoint' })), ...(external ? [{ ...external, where: 'the checkpoint kept outside the database' }] : [])];
  let truncatedReported = false;
  for (const c of all) {
    const key = trusted.get(c.key_id);
    if (!key) {
      errors.push({ seq: c.seq, kind: 'unknown_key', message: `${c.where} at entry ${c.seq} is signed by an unknown key ${c.key_id.slice(0, 16)}…` });
      continue;
    }
    const ok = verifySignature(null, Buffer.from(checkpointMessage({ seq: c.seq, headHash: c.head_hash, at: c.at, keyId: c.key_id })), key, Buffer.from(c.signature, 'base64'));
    if (!ok) {
      errors.push({ seq: c.seq, kind: 'bad_signature', message: `${c.where} at entry ${c.seq} has an invalid signature` });
      continue;
    }
    if (c.seq > lastSeq) {
      if (!truncatedReported) errors.push({ seq: lastSeq + 1, kind: 'truncated_tail', message: `entries ${lastSeq + 1}..${c.seq} were deleted from the end: a signed checkpoint covers entry ${c.seq}` });
      truncatedReported = true;
      continue;
    }
    const head = hashAt.get(c.seq) ?? (db.prepare('SELECT entry_hash FROM audit_entries WHERE seq = ?').pluck().get(c.seq) as string | undefined);
    if (head !== c.head_hash && !errors.some((e) => e.seq !== null && e.seq <= c.seq && e.kind !== 'unknown_key' && e.kind !== 'bad_signature')) {
      errors.push({ seq: c.seq, kind: 'modified', message: `the chain was rewritten: entry ${c.seq} no longer matches the signed checkpoint (${c.where})` });
    }
  }
  const lastCp = all.reduce((m, c) => Math.max(m, c.seq), 0);
  if (all.length === 0) warnings.push('no signed checkpoint exists: deletion of the newest entries or a rewrite of the whole log cannot be ruled out');
  else if (lastCp < lastSeq) warnings.push(`entries ${lastCp + 1}..${lastSeq} are not yet covered by a signed checkpoint (one is written every 1000 entries, every 10 s and on close)`);
  errors.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return { valid: errors.length === 0, format: 'capfence', entries: n, checkpoints: cps.length, errors, warnings };
}

function trustedKeys(db: Database.Database, opts: VerifyOptions, warnings: string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const add = (k: KeyObject) => keys.set(keyIdOf(k), k);
  if (opts.publicKeyPath) {
    add(readPublicKey(opts.publicKeyPath));
    return keys;
  }
  const local = join(opts.home, 'keys', 'audit-ed25519.pub');
  if (existsSync(local)) {
    add(readPublicKey(local));
    return keys;
  }
  // No key of our own: fall back to the keys recorded in the file, and say what that means.
  for (const r of db.prepare('SELECT public_key_pem FROM audit_keys').all() as { public_key_pem: string }[]) add(createPublicKey(r.public_key_pem));
  if (keys.size > 0) warnings.push('no trusted public key (pass --public-key): signatures were checked against keys recorded in the database itself');
  return keys;
}

function readExternal(home: string, dbPath: string, warnings: string[]): { seq: number; head_hash: string; at: number; key_id: string; signature: string } | undefined {
  const path = externalCheckpointPath(join(home, 'checkpoints'), dbPath);
  if (!existsSync(path)) return undefined;
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as { seq: number; head_hash: string; at: number; key_id: string; signature: string };
    return c;
  } catch {
    warnings.push(`the checkpoint kept outside the database (${path}) is unreadable`);
    return undefined;
  }
}
