import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { chainLinkOf, checkpointMessage, entryHash, externalCheckpointPath, GENESIS, sha256Hex } from './audit-log.js';
import { keyIdOf, readPublicKey } from './keys.js';
import { auditLayout } from './audit-layout.js';
import { verifyLegacyLog } from './verify-legacy.js';
import type { SliceResult, SliceTask } from './verify-worker.js';

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
  /** better-sqlite3's native binding to load (the Electron-ABI build inside the desktop app). */
  nativeBinding?: string;
}

/** Read-only, never creating: verification must not change the file it checks. */
export function openReadOnly(path: string, nativeBinding: string | undefined): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
}

/** One stored entry as the chain walk sees it, whichever layout wrote the file. */
interface ChainRow {
  seq: number;
  /** The entry_hash column. */
  stored: string;
  /** The hash this entry links to, when it can be read. */
  prevHash: string | undefined;
  /** The seq the entry's content hashes under (its own when untouched, another when moved), or undefined when it matches none. */
  writtenSeq: number | undefined;
}

/** Entries stored as their canonical text: the text is hashed as it is. */
function* canonicalRows(db: Database.Database): Generator<ChainRow> {
  for (const [seq, canonical, stored] of db.prepare('SELECT seq, canonical, entry_hash FROM audit_chain ORDER BY seq').raw().iterate() as IterableIterator<[number, unknown, string]>) {
    const text = typeof canonical === 'string' ? canonical : '';
    const link = chainLinkOf(text);
    yield { seq, stored, prevHash: link?.prevHash, writtenSeq: link && sha256Hex(text) === stored ? link.seq : undefined };
  }
}

type ColumnRow = [number, number, string, string, string, string, string, number, string, string | null, string, string | null, string | null, string | null, string | null, string | null, string, string, string];

const fieldsOf = (r: ColumnRow, seq: number) => ({
  seq, at: r[1], kind: r[2], actor: r[3], capability: r[4], tool: r[5], decision: r[6], authorized: r[7] === 1, reason: r[8], rule: r[9], policyHash: r[10],
  environment: r[11], sessionId: r[12], approvalId: r[13], approver: r[14], approverReason: r[15], payloadCommitment: r[16], prevHash: r[17],
});

/** Files written before migration 9 (opened read-only, so never migrated): the text is rebuilt from the columns. */
function* columnRows(db: Database.Database): Generator<ChainRow> {
  const columns = 'seq, at, kind, actor, capability, tool, decision, authorized, reason, rule, policy_hash, environment, session_id, approval_id, approver, approver_reason, payload_commitment, prev_hash, entry_hash';
  for (const r of db.prepare(`SELECT ${columns} FROM audit_entries ORDER BY seq`).raw().iterate() as IterableIterator<ColumnRow>) {
    const seq = r[0];
    const stored = r[18];
    let writtenSeq: number | undefined = entryHash(fieldsOf(r, seq)) === stored ? seq : undefined;
    // Moved rows hash correctly under the seq they were written with; without the text, try the near ones.
    for (const d of writtenSeq === undefined ? [1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8] : []) {
      if (seq + d >= 1 && entryHash(fieldsOf(r, seq + d)) === stored) {
        writtenSeq = seq + d;
        break;
      }
    }
    yield { seq, stored, prevHash: r[17], writtenSeq };
  }
}

/**
 * Verifies an audit log without modifying it (opened read-only): every entry's hash, every link,
 * every seq, and every signed checkpoint, in the database and the copy kept outside it. Reports
 * every problem with the first broken seq and its kind. Logs written by the original Python
 * CapFence (`audit_events`) are verified by its rules.
 */
export function verifyAuditLog(dbPath: string, opts: VerifyOptions): VerifyReport {
  const abs = resolve(dbPath);
  const db = openReadOnly(abs, opts.nativeBinding);
  try {
    const layout = auditLayout(db);
    if (layout === 'legacy') return verifyLegacyLog(db, opts);
    if (layout === 'none') {
      return { valid: false, format: 'capfence', entries: 0, checkpoints: 0, errors: [{ seq: null, kind: 'modified', message: 'no audit table (`audit_entries` or `audit_events`) in this database' }], warnings: [] };
    }
    return verifyOurs(db, abs, opts);
  } finally {
    db.close();
  }
}

/** Below this many entries one thread is faster than starting workers. */
const PARALLEL_MIN_ENTRIES = 100_000;

/**
 * `verifyAuditLog` without blocking the event loop, and in parallel on large logs: worker
 * threads each check a seq range (hashes, inner links, seqs), the slices are stitched at their
 * edges, and the checkpoints are checked as usual. Any anomaly falls back to the sequential pass,
 * which names every break; the parallel pass only ever says "clean".
 */
export async function verifyAuditLogAsync(
  dbPath: string,
  opts: VerifyOptions & { workers?: number; parallelMinEntries?: number; onStrategy?: (s: 'parallel' | 'sequential') => void },
): Promise<VerifyReport> {
  const abs = resolve(dbPath);
  const db = openReadOnly(abs, opts.nativeBinding);
  const workerFile = fileURLToPath(new URL('./verify-worker.js', import.meta.url));
  // The sequential pass (small logs, the original's logs, or any break to name) also leaves the
  // event loop free when the built worker is there: the console keeps answering meanwhile.
  const sequential = (): Promise<VerifyReport> | VerifyReport => {
    opts.onStrategy?.('sequential');
    return existsSync(workerFile) ? verifyInWorker(workerFile, abs, opts) : verifyAuditLog(abs, opts);
  };
  try {
    if (auditLayout(db) !== 'chain') return await sequential();
    // min and max come from the primary key's ends; a count(*) would read the whole table. The
    // slices check that every seq in between is there.
    const [min, max] = db.prepare('SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM audit_entries').raw().get() as [number, number];
    const count = max;
    const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), 8));
    if (count < (opts.parallelMinEntries ?? PARALLEL_MIN_ENTRIES) || workers < 2 || min !== 1 || !existsSync(workerFile)) return await sequential();

    const checkpointSeqs = db.prepare('SELECT seq FROM audit_checkpoints').pluck().all() as number[];
    const size = Math.ceil(max / workers);
    const tasks: SliceTask[] = Array.from({ length: workers }, (_, i) => ({
      mode: 'slice' as const,
      dbPath: abs,
      fromSeq: i * size + 1,
      toSeq: Math.min(max, (i + 1) * size),
      checkpointSeqs,
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    })).filter((t) => t.fromSeq <= t.toSeq);
    let done = 0;
    const slices = await Promise.all(
      tasks.map(
        (task) =>
          new Promise<SliceResult>((resolveSlice, reject) => {
            const w = new Worker(workerFile, { workerData: task });
            w.on('message', (m: { progress?: number; result?: SliceResult }) => {
              if (m.progress !== undefined) {
                done += m.progress;
                opts.onProgress?.(done, count);
              }
              if (m.result) resolveSlice(m.result);
            });
            w.once('error', reject);
            w.once('exit', (code) => code !== 0 && reject(new Error(`verify worker exited with code ${code}`)));
          }),
      ),
    );
    let prev = GENESIS;
    let clean = true;
    const hashAt = new Map<number, string>();
    for (const s of slices) {
      if (!s.clean || s.firstPrev !== prev || s.lastHash === null) clean = false;
      for (const [seq, h] of s.hashAt) hashAt.set(seq, h);
      prev = s.lastHash ?? prev;
    }
    // New entries appended meanwhile would make the checkpoints look ahead of the chain.
    const nowMax = db.prepare('SELECT coalesce(max(seq), 0) FROM audit_entries').pluck().get() as number;
    if (!clean || nowMax !== max) return await sequential();
    hashAt.set(max, prev);
    opts.onStrategy?.('parallel');
    return finishReport(db, abs, opts, { errors: [], entries: count, lastSeq: max, hashAt });
  } finally {
    db.close();
  }
}

/** Runs the sequential `verifyAuditLog` in a worker thread, relaying its progress. */
function verifyInWorker(workerFile: string, dbPath: string, opts: VerifyOptions): Promise<VerifyReport> {
  const { onProgress, ...plain } = opts;
  return new Promise<VerifyReport>((resolveReport, reject) => {
    const w = new Worker(workerFile, { workerData: { mode: 'full', dbPath, opts: { home: plain.home, publicKeyPath: plain.publicKeyPath, nativeBinding: plain.nativeBinding } } });
    w.on('message', (m: { done?: number; total?: number; report?: VerifyReport; error?: string }) => {
      if (m.done !== undefined && m.total !== undefined) onProgress?.(m.done, m.total);
      if (m.report) resolveReport(m.report);
      if (m.error !== undefined) reject(new Error(m.error));
    });
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`verify worker exited with code ${code}`)));
  });
}

function verifyOurs(db: Database.Database, dbPath: string, opts: VerifyOptions): VerifyReport {
  const chain = scanChain(db, opts);
  return finishReport(db, dbPath, opts, chain);
}

/** What the pass over the entries found: the problems, the newest seq, and the hashes checkpoints vouch for. */
export interface ChainScan {
  errors: VerifyProblem[];
  entries: number;
  lastSeq: number;
  /** Stored entry hashes at checkpointed seqs and at the newest entry. */
  hashAt: Map<number, string>;
}

/** Walks every entry in seq order: hashes, links and seqs, telling the kinds of break apart. */
function scanChain(db: Database.Database, opts: VerifyOptions): ChainScan {
  const errors: VerifyProblem[] = [];
  const total = (db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number) ?? 0;
  const rows = auditLayout(db) === 'chain' ? canonicalRows(db) : columnRows(db);

  let pp: { seq: number; hash: string } | undefined;
  let p: { seq: number; hash: string; valid: boolean; shift: number } | undefined;
  let lastShift = 0;
  let n = 0;
  const hashAt = new Map<number, string>();
  const checkpointSeqs = new Set((db.prepare('SELECT seq FROM audit_checkpoints').pluck().all() as number[]) ?? []);
  for (const row of rows) {
    const { seq, stored } = row;
    if (checkpointSeqs.has(seq)) hashAt.set(seq, stored);
    const valid = row.writtenSeq === seq;
    const expectedSeq = p ? p.seq + 1 : 1;
    let shift = 0;
    if (seq !== expectedSeq && seq > expectedSeq) {
      const from = expectedSeq;
      errors.push({ seq: from, kind: 'deleted', message: seq - 1 === from ? `entry ${from} is missing (deleted)` : `entries ${from}..${seq - 1} are missing (deleted)` });
    } else if (!valid) {
      if (row.writtenSeq !== undefined) shift = seq - row.writtenSeq;
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
      if (row.prevHash !== expectedPrev && seq === expectedSeq) {
        if (pp && row.prevHash === pp.hash) errors.push({ seq: p?.seq ?? seq, kind: 'inserted', message: `entry ${p?.seq} is not part of the chain: it was inserted` });
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
  return { errors, entries: n, lastSeq, hashAt };
}

/** Checks every signed checkpoint against the scanned chain and assembles the report. */
function finishReport(db: Database.Database, dbPath: string, opts: VerifyOptions, chain: ChainScan): VerifyReport {
  const { errors, lastSeq, hashAt } = chain;
  const n = chain.entries;
  const warnings: string[] = [];
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
