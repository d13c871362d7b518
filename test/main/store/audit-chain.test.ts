import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../shared/canonical-json.js';
import { entryCanonical, entryHash, GENESIS, rowToEntry, sha256Hex } from '../../../main/store/audit-log.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { verifyAuditLog } from '../../../main/store/verify.js';
import { tempHome } from '../../helpers/temp.js';

const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function logWith(n: number, opts: { checkpointEvery?: number } = {}) {
  const t = tempHome();
  const store = openStore(t.db, { env: t.env, checkpointEvery: opts.checkpointEvery ?? 1000, checkpointSeconds: 3600 });
  open.push(store);
  for (let i = 0; i < n; i++) {
    await store.audit.append({ kind: 'decision', actor: `agent-${i % 3}`, capability: `files.read.${i}`, tool: 'read_file', decision: i % 4 === 0 ? 'deny' : 'allow', authorized: i % 4 !== 0, reason: 'policy_allow', rule: `allow[${i % 5}]`, policyHash: 'p'.repeat(64), payload: { path: `/tmp/${i}`, n: i } });
  }
  return { ...t, store };
}

const verify = (t: { db: string; home: string }, publicKeyPath?: string) => verifyAuditLog(t.db, { home: t.home, ...(publicKeyPath ? { publicKeyPath } : {}) });
const sql = (path: string, ...statements: string[]) => {
  const db = new Database(path);
  for (const s of statements) db.exec(s);
  db.close();
};

describe('audit chain', () => {
  it('hashes the documented canonical JSON (RFC 8785)', () => {
    const e = { seq: 3, at: 1795480108.70764, kind: 'decision', actor: 'a"b', capability: 'x.y.z', tool: 't', decision: 'allow', authorized: true, reason: 'r', rule: null, policyHash: 'h', environment: null, sessionId: 's', approvalId: null, approver: null, approverReason: null, payloadCommitment: 'c', prevHash: GENESIS };
    const generic = canonicalJson({ seq: 3, at: e.at, kind: 'decision', actor: 'a"b', capability: 'x.y.z', tool: 't', decision: 'allow', authorized: true, reason: 'r', rule: null, policy_hash: 'h', environment: null, session_id: 's', approval_id: null, approver: null, approver_reason: null, payload_commitment: 'c', prev_hash: GENESIS, v: 1 });
    expect(entryCanonical(e)).toBe(generic);
    expect(entryHash(e)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an untouched log verifies, with gapless seqs, and a redacted payload keeps it valid', async () => {
    const t = await logWith(25);
    await t.store.audit.checkpoint();
    const entries = await t.store.audit.query({ limit: 100 });
    expect(entries.map((e) => e.seq).reverse()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await t.store.audit.redact(5)).toBe(true);
    const e5 = await t.store.audit.get(5);
    expect(e5?.redacted).toBe(true);
    expect(e5?.payload).toBeNull();
    const r = verify(t);
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.entries).toBe(25);
  });

  it('detects an edited field as `modified` at its seq', async () => {
    const t = await logWith(10);
    // The way a hand edit looks now: the stored text changed, the hash did not.
    sql(t.db, "UPDATE audit_chain SET canonical = replace(canonical, '\"decision\":\"deny\"', '\"decision\":\"allow\"') WHERE seq = 5");
    const raw = new Database(t.db, { readonly: true });
    // Every column reads the stored text, so what the console shows is what verify checks.
    expect(raw.prepare('SELECT decision, authorized FROM audit_entries WHERE seq = 5').get()).toEqual({ decision: 'allow', authorized: 0 });
    raw.close();
    const r = verify(t);
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ seq: 5, kind: 'modified' })]);
  });

  it('detects a deleted middle row as `deleted`', async () => {
    const t = await logWith(10);
    sql(t.db, 'DELETE FROM audit_chain WHERE seq = 6');
    expect(verify(t).errors[0]).toMatchObject({ seq: 6, kind: 'deleted' });
  });

  it('detects deletion of the newest rows through the signed checkpoint kept outside the file', async () => {
    const t = await logWith(12);
    await t.store.audit.checkpoint();
    await t.store.close();
    sql(t.db, 'DELETE FROM audit_chain WHERE seq > 9', 'DELETE FROM audit_checkpoints');
    const r = verify(t);
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatchObject({ seq: 10, kind: 'truncated_tail' });
  });

  it('detects two swapped rows as `reordered`', async () => {
    const t = await logWith(10);
    sql(t.db, 'UPDATE audit_chain SET seq = -1 WHERE seq = 5', 'UPDATE audit_chain SET seq = 5 WHERE seq = 6', 'UPDATE audit_chain SET seq = 6 WHERE seq = -1');
    const r = verify(t);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ seq: 5, kind: 'reordered' });
  });

  it('detects a forged row inserted mid-chain as `inserted`', async () => {
    const t = await logWith(10);
    const db = new Database(t.db);
    for (let s = 10; s >= 6; s--) db.prepare('UPDATE audit_chain SET seq = ? WHERE seq = ?').run(s + 1, s);
    const prev = db.prepare('SELECT entry_hash FROM audit_entries WHERE seq = 5').pluck().get() as string;
    const forged = { seq: 6, at: Date.now() / 1000, kind: 'decision', actor: 'mallory', capability: 'payment.transfer', tool: 'wire', decision: 'allow', authorized: true, reason: 'policy_allow', rule: null, policyHash: 'p'.repeat(64), environment: null, sessionId: null, approvalId: null, approver: null, approverReason: null, payloadCommitment: 'f'.repeat(64), prevHash: prev };
    db.prepare('INSERT INTO audit_chain (seq, canonical, entry_hash) VALUES (?, ?, ?)').run(6, entryCanonical(forged), entryHash(forged));
    db.close();
    const r = verify(t);
    expect(r.errors[0]).toMatchObject({ seq: 6, kind: 'inserted' });
  });

  it('detects a whole chain rewritten with fresh hashes through the signed checkpoints', async () => {
    const t = await logWith(8, { checkpointEvery: 4 });
    await t.store.close();
    const db = new Database(t.db);
    // Edit the first entry, then recompute every hash so the chain is internally consistent again.
    let prev = GENESIS;
    for (const r of db.prepare('SELECT * FROM audit_entries ORDER BY seq').all() as Record<string, unknown>[]) {
      const e = rowToEntry(r);
      const canonical = entryCanonical({ ...e, ...(e.seq === 1 ? { decision: 'allow', authorized: true } : {}), prevHash: prev });
      db.prepare('UPDATE audit_chain SET canonical = ?, entry_hash = ? WHERE seq = ?').run(canonical, sha256Hex(canonical), e.seq);
      prev = sha256Hex(canonical);
    }
    db.close();
    const r = verify(t);
    expect(r.valid).toBe(false);
    // The first signed checkpoint after the edit no longer matches.
    expect(r.errors[0]).toMatchObject({ kind: 'modified' });
    expect(r.errors[0]?.seq).toBeLessThanOrEqual(4);
    expect(r.errors[0]?.message).toMatch(/rewritten/);
  });

  it('detects a replaced signing key (`unknown_key`) and a forged signature (`bad_signature`)', async () => {
    const t = await logWith(6, { checkpointEvery: 3 });
    await t.store.close();
    const pub = join(t.home, 'keys', 'audit-ed25519.pub');
    const original = readFileSync(pub, 'utf8');
    // An attacker swaps the key files for their own pair.
    rmSync(join(t.home, 'keys', 'audit-ed25519.key'));
    rmSync(pub);
    const other = tempHome();
    const s2 = openStore(other.db, { env: other.env });
    await s2.close();
    copyFileSync(join(other.home, 'keys', 'audit-ed25519.pub'), pub);
    const r = verify(t);
    expect(r.errors.some((e) => e.kind === 'unknown_key')).toBe(true);
    // With the right key, a tampered signature is a bad signature.
    writeFileSync(pub, original);
    sql(t.db, "UPDATE audit_checkpoints SET signature = 'AAAA' || substr(signature, 5) WHERE seq = 4");
    const r2 = verify(t);
    expect(r2.errors).toEqual([expect.objectContaining({ seq: 4, kind: 'bad_signature' })]);
  });

  it('says plainly when no checkpoint covers the newest entries', async () => {
    const t = await logWith(3);
    const r = verify(t);
    expect(r.valid).toBe(true);
    expect(r.warnings.join(' ')).toMatch(/cannot be ruled out|not yet covered/);
  });
});
