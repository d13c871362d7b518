import { createHash, createHmac, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../shared/canonical-json.js';
import { entryCanonical, GENESIS, sha256Hex, type AuditContextFields, type AuditDecisionFields, type HashedEntryFields } from './audit-entry-text.js';
import type { SqliteDatabase } from './database.js';
import { notADecision } from './migrations.js';
import type { SigningKeys } from './keys.js';

export { chainLinkOf, entryCanonical, entryHash, GENESIS, sha256Hex, type HashedEntryFields } from './audit-entry-text.js';

/** What a caller records; the log adds seq, time, the payload commitment and the chain hashes. */
export interface AuditEntryInput extends AuditDecisionFields, Partial<AuditContextFields> {
  payload: unknown;
}

/** One stored entry, as the console and `capfence logs` show it. */
export interface AuditEntry extends HashedEntryFields {
  entryHash: string;
  /** The raw payload, unless redacted (then null and `redacted` is true). */
  payload?: unknown;
  redacted?: boolean;
}

/** A signed statement that the chain had `headHash` at `seq`. */
export interface Checkpoint {
  seq: number;
  headHash: string;
  at: number;
  keyId: string;
  signature: string;
}

/** What a checkpoint's signature covers. */
export function checkpointMessage(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({ v: 1, type: 'capfence-audit-checkpoint', seq: c.seq, head_hash: c.headHash, at: c.at, key_id: c.keyId });
}

/** Where the latest checkpoint of a database is copied, outside it. */
export function externalCheckpointPath(checkpointsDir: string, dbPath: string): string {
  return join(checkpointsDir, `${createHash('sha256').update(dbPath).digest('hex').slice(0, 32)}.json`);
}

export interface AuditLogOptions {
  dbPath: string;
  keys: SigningKeys;
  commitmentKey: Buffer;
  checkpointsDir: string;
  /** A checkpoint every N entries (default 1000)... */
  checkpointEvery?: number;
  /** ...or when the newest is older than T seconds (default 10), on the next append. */
  checkpointSeconds?: number;
}

type Row = Record<string, unknown>;

/** Characters JSON.stringify writes escaped: quote, backslash, controls, and lone surrogates. */
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `e.<column> = value` for the `audit_entries` view, found without parsing every entry: reading
 * a field out of the stored text parses it, while the exact `"key":value` text of a match can
 * only occur as that key (inside JSON strings every quote is escaped), so a test on the raw text
 * rules out other rows first and the field is read only from those that pass.
 */
export function fieldEquals(column: 'actor' | 'capability' | 'decision' | 'kind', value: string): { sql: string; args: (string | number)[] } {
  // Other kinds than decisions have a partial index (migration 9), used when its condition is repeated.
  if (column === 'kind' && value !== 'decision') return { sql: `${notADecision('e.canonical')} AND e.kind = ?`, args: [value] };
  // `actor` is the text's first key: comparing its prefix stops after a few bytes, where a
  // substring search reads the whole entry (a third of the time on a million entries).
  if (column === 'actor') {
    const prefix = `{"actor":${JSON.stringify(value)},`;
    return { sql: 'substr(e.canonical, 1, ?) = ? AND e.actor = ?', args: [[...prefix].length, prefix, value] };
  }
  return { sql: `instr(e.canonical, ?) > 0 AND e.${column} = ?`, args: [`"${column}":${JSON.stringify(value)}`, value] };
}

/** Maps a stored row to an entry. */
export function rowToEntry(r: Row): AuditEntry {
  const e: AuditEntry = {
    seq: r['seq'] as number,
    at: r['at'] as number,
    kind: r['kind'] as string,
    actor: r['actor'] as string,
    capability: r['capability'] as string,
    tool: r['tool'] as string,
    decision: r['decision'] as string,
    authorized: r['authorized'] === 1,
    reason: r['reason'] as string,
    rule: (r['rule'] as string | null) ?? null,
    policyHash: r['policy_hash'] as string,
    environment: (r['environment'] as string | null) ?? null,
    sessionId: (r['session_id'] as string | null) ?? null,
    approvalId: (r['approval_id'] as string | null) ?? null,
    approver: (r['approver'] as string | null) ?? null,
    approverReason: (r['approver_reason'] as string | null) ?? null,
    payloadCommitment: r['payload_commitment'] as string,
    prevHash: r['prev_hash'] as string,
    entryHash: r['entry_hash'] as string,
  };
  if ('payload' in r || 'redacted_at' in r) {
    e.redacted = r['redacted_at'] !== null && r['redacted_at'] !== undefined;
    e.payload = typeof r['payload'] === 'string' ? (JSON.parse(r['payload']) as unknown) : null;
  }
  return e;
}

export interface AuditQuery {
  actor?: string;
  capability?: string;
  decision?: string;
  kind?: string;
  since?: number;
  until?: number;
  /** Free text: matched against actor, capability, tool, reason and rule. */
  text?: string;
  /** Entries older than this seq (paging backwards from the newest). */
  beforeSeq?: number;
  limit?: number;
}

/**
 * The append-only, hash-chained audit log in the shared SQLite file. Appends are atomic across
 * processes (one IMMEDIATE transaction reads the head, hashes and inserts), and signed
 * checkpoints, also copied outside the database, let `verify` see deleted newest entries and
 * rewritten chains.
 */
export class AuditLog {
  private readonly insertEntry;
  private readonly insertPayload;
  private readonly head;
  private readonly lastCheckpoint;
  private readonly insertCheckpoint;
  private readonly every: number;
  private readonly seconds: number;
  private readonly appendTx;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly opts: AuditLogOptions,
  ) {
    this.every = opts.checkpointEvery ?? 1000;
    this.seconds = opts.checkpointSeconds ?? 10;
    // Only the canonical text is stored: the `audit_entries` view reads every column out of it (migration 9).
    this.insertEntry = db.prepare('INSERT INTO audit_chain (seq, canonical, entry_hash) VALUES (?, ?, ?)');
    this.insertPayload = db.prepare('INSERT INTO audit_payloads (seq, payload) VALUES (?, ?)');
    this.head = db.prepare('SELECT seq, entry_hash FROM audit_chain ORDER BY seq DESC LIMIT 1').raw();
    this.lastCheckpoint = db.prepare('SELECT seq, at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1').raw();
    this.insertCheckpoint = db.prepare('INSERT OR IGNORE INTO audit_checkpoints (seq, head_hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)');
    db.prepare('INSERT OR IGNORE INTO audit_keys (key_id, public_key_pem, first_used_at) VALUES (?, ?, ?)').run(opts.keys.keyId, opts.keys.publicKeyPem, Date.now() / 1000);
    this.appendTx = db.transaction((inputs: readonly AuditEntryInput[]) => {
      const h = this.head.get() as [number, string] | undefined;
      let seq = h ? h[0] : 0;
      let prev = h ? h[1] : GENESIS;
      const out: AuditEntry[] = [];
      const at = Date.now() / 1000;
      for (const input of inputs) {
        seq += 1;
        const payloadJson = canonicalJson(input.payload ?? {});
        const entry: AuditEntry = {
          seq,
          at,
          kind: input.kind,
          actor: input.actor,
          capability: input.capability,
          tool: input.tool,
          decision: input.decision,
          authorized: input.authorized,
          reason: input.reason,
          rule: input.rule,
          policyHash: input.policyHash,
          environment: input.environment ?? null,
          sessionId: input.sessionId ?? null,
          approvalId: input.approvalId ?? null,
          approver: input.approver ?? null,
          approverReason: input.approverReason ?? null,
          payloadCommitment: createHmac('sha256', this.opts.commitmentKey).update(payloadJson).digest('hex'),
          prevHash: prev,
          entryHash: '',
        };
        const canonical = entryCanonical(entry);
        entry.entryHash = sha256Hex(canonical);
        this.insertEntry.run(seq, canonical, entry.entryHash);
        // No `changes` row: watchers see new entries from the chain's head (one less B-tree write per decision).
        this.insertPayload.run(seq, payloadJson);
        prev = entry.entryHash;
        out.push(entry);
      }
      const last = this.lastCheckpoint.get() as [number, number] | undefined;
      const lastSeq = last ? last[0] : 0;
      const lastAt = last ? last[1] : 0;
      let checkpoint: Checkpoint | undefined;
      if (seq - lastSeq >= this.every || (seq > lastSeq && at - lastAt >= this.seconds)) checkpoint = this.signCheckpoint(seq, prev, at);
      return { out, checkpoint };
    });
  }

  /** Appends one entry (atomically, across processes) and returns it as stored. */
  append(input: AuditEntryInput): AuditEntry {
    return this.appendMany([input])[0] as AuditEntry;
  }

  /** Appends several entries in one transaction: consecutive seqs, one commit. */
  appendMany(inputs: readonly AuditEntryInput[]): AuditEntry[] {
    const { out, checkpoint } = this.appendTx.immediate(inputs);
    if (checkpoint) this.writeExternal(checkpoint);
    return out;
  }

  private signCheckpoint(seq: number, headHash: string, at: number): Checkpoint {
    const body = { seq, headHash, at, keyId: this.opts.keys.keyId };
    const signature = sign(null, Buffer.from(checkpointMessage(body)), this.opts.keys.privateKey).toString('base64');
    this.insertCheckpoint.run(seq, headHash, at, body.keyId, signature);
    return { ...body, signature };
  }

  /** Signs a checkpoint of the current head now (on close, and on demand). */
  checkpoint(): Checkpoint | undefined {
    const cp = this.db
      .transaction(() => {
        const h = this.head.get() as [number, string] | undefined;
        if (!h) return undefined;
        const last = this.lastCheckpoint.get() as [number, number] | undefined;
        if (last && last[0] >= h[0]) return undefined;
        return this.signCheckpoint(h[0], h[1], Date.now() / 1000);
      })
      .immediate();
    if (cp) this.writeExternal(cp);
    return cp;
  }

  /** Keeps the newest checkpoint outside the database (atomic rename; never goes backwards). */
  private writeExternal(cp: Checkpoint): void {
    mkdirSync(this.opts.checkpointsDir, { recursive: true, mode: 0o700 });
    const path = externalCheckpointPath(this.opts.checkpointsDir, this.opts.dbPath);
    try {
      if (existsSync(path)) {
        const current = JSON.parse(readFileSync(path, 'utf8')) as { seq?: number };
        if ((current.seq ?? 0) >= cp.seq) return;
      }
    } catch {
      // An unreadable copy is replaced by a good one.
    }
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ db: this.opts.dbPath, seq: cp.seq, head_hash: cp.headHash, at: cp.at, key_id: cp.keyId, signature: cp.signature, public_key_pem: this.opts.keys.publicKeyPem }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  }

  /** Newest first, filtered, paged by `beforeSeq`. */
  query(qry: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [column, value] of [['actor', qry.actor], ['capability', qry.capability], ['decision', qry.decision], ['kind', qry.kind]] as const) {
      if (!value) continue;
      const f = fieldEquals(column, value);
      where.push(f.sql);
      args.push(...f.args);
    }
    if (qry.since !== undefined) where.push('e.at >= ?'), args.push(qry.since);
    if (qry.until !== undefined) where.push('e.at <= ?'), args.push(qry.until);
    if (qry.beforeSeq !== undefined) where.push('e.seq < ?'), args.push(qry.beforeSeq);
    if (qry.text) {
      const like = `%${qry.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // Text that JSON writes as it is appears verbatim in the stored text: rows without it are
      // skipped before any field is read out of them.
      if (!NEEDS_JSON_ESCAPE.test(qry.text)) where.push("e.canonical LIKE ? ESCAPE '\\'"), args.push(like);
      where.push("(e.actor LIKE ? ESCAPE '\\' OR e.capability LIKE ? ESCAPE '\\' OR e.tool LIKE ? ESCAPE '\\' OR e.reason LIKE ? ESCAPE '\\' OR e.rule LIKE ? ESCAPE '\\')");
      args.push(like, like, like, like, like);
    }
    const limit = Math.max(1, Math.min(qry.limit ?? 100, 10_000));
    const rows = this.db
      .prepare(`SELECT e.*, p.payload, p.redacted_at FROM audit_entries e LEFT JOIN audit_payloads p ON p.seq = e.seq ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.seq DESC LIMIT ${limit}`)
      .all(...args) as Row[];
    return rows.map(rowToEntry);
  }

  /** One entry with its payload. */
  get(seq: number): AuditEntry | undefined {
    const r = this.db.prepare('SELECT e.*, p.payload, p.redacted_at FROM audit_entries e LEFT JOIN audit_payloads p ON p.seq = e.seq WHERE e.seq = ?').get(seq) as Row | undefined;
    return r ? rowToEntry(r) : undefined;
  }

  /** Removes an entry's raw payload; its commitment stays in the chain, so verification still holds. */
  redact(seq: number): boolean {
    return this.db.prepare('UPDATE audit_payloads SET payload = NULL, redacted_at = ? WHERE seq = ? AND redacted_at IS NULL').run(Date.now() / 1000, seq).changes === 1;
  }

  /** Whether a payload matches an entry's commitment (for audits of unredacted payloads). */
  payloadMatches(entry: AuditEntry, payload: unknown): boolean {
    return createHmac('sha256', this.opts.commitmentKey).update(canonicalJson(payload ?? {})).digest('hex') === entry.payloadCommitment;
  }

  /** The newest seq (0 when empty). */
  headSeq(): number {
    const h = this.head.get() as [number, string] | undefined;
    return h ? h[0] : 0;
  }

  /** Signs a final checkpoint. */
  close(): void {
    this.checkpoint();
  }
}
