import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { chainLinkOf, entryCanonical, entryHash, fieldEquals, GENESIS, type HashedEntryFields } from '../../../main/store/audit-log.js';
import { applyMigrations, openDatabase, schemaVersion } from '../../../main/store/database.js';
import { openStore } from '../../../main/store/store.js';
import { verifyAuditLog, verifyAuditLogAsync } from '../../../main/store/verify.js';
import { tempHome } from '../../helpers/temp.js';

const reasons = ['policy_allow', 'quote " and \\ backslash, "seq":99, and ,"prev_hash":"x', 'tab\there\nnewline', 'café 中文 😀', 'ctrl \u0001 char'];

/** Entries as the store wrote them before migration 9: nineteen columns, no stored text. */
function columnLayoutLog(n: number): { home: string; db: string; fields: HashedEntryFields[] } {
  const t = tempHome();
  const db = new Database(t.db);
  applyMigrations(db, 8);
  const insert = db.prepare(
    `INSERT INTO audit_entries (seq, at, kind, actor, capability, tool, decision, authorized, reason, rule, policy_hash, environment, session_id, approval_id,
       approver, approver_reason, payload_commitment, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const fields: HashedEntryFields[] = [];
  let prev = GENESIS;
  db.exec('BEGIN');
  for (let seq = 1; seq <= n; seq++) {
    const e: HashedEntryFields = {
      seq, at: 1_800_000_000 + seq / 7, kind: 'decision', actor: `agent-${seq % 3}`, capability: 'files.read.workspace', tool: 'read_file', decision: seq % 4 === 0 ? 'deny' : 'allow',
      authorized: seq % 4 !== 0, reason: reasons[seq % reasons.length] as string, rule: seq % 2 ? 'allow[0]' : null, policyHash: 'p'.repeat(64), environment: seq % 2 ? 'dev' : null,
      sessionId: null, approvalId: seq === 3 ? 'apr-1' : null, approver: seq === 3 ? 'alice' : null, approverReason: seq === 3 ? 'ok' : null, payloadCommitment: 'c'.repeat(64), prevHash: prev,
    };
    prev = entryHash(e);
    insert.run(seq, e.at, e.kind, e.actor, e.capability, e.tool, e.decision, e.authorized ? 1 : 0, e.reason, e.rule, e.policyHash, e.environment, e.sessionId, e.approvalId, e.approver, e.approverReason, e.payloadCommitment, e.prevHash, prev);
    fields.push(e);
  }
  db.exec('COMMIT');
  db.close();
  return { ...t, fields };
}

const kinds = (r: { errors: { seq: number | null; kind: string }[] }) => r.errors.map((e) => [e.seq, e.kind]);

describe('audit entries stored as their canonical text (migration 9)', () => {
  it('refuses writes to the columns: they are read out of the stored text', () => {
    const t = tempHome();
    const db = openDatabase(t.db);
    expect(() => db.prepare("UPDATE audit_entries SET reason = 'x'").run()).toThrow(/view/);
    db.close();
  });

  it('migrates a column-layout log: every column reads back the same, and the chain still verifies', () => {
    const t = columnLayoutLog(40);
    const db = openDatabase(t.db);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(9);
    const rows = db.prepare('SELECT * FROM audit_entries ORDER BY seq').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(40);
    for (const [i, r] of rows.entries()) {
      const e = t.fields[i] as HashedEntryFields;
      expect(r['canonical']).toBe(entryCanonical(e));
      expect({ at: r['at'], reason: r['reason'], rule: r['rule'], environment: r['environment'], approver: r['approver'], authorized: r['authorized'], prev_hash: r['prev_hash'] }).toEqual({
        at: e.at, reason: e.reason, rule: e.rule, environment: e.environment, approver: e.approver, authorized: e.authorized ? 1 : 0, prev_hash: e.prevHash,
      });
    }
    // Range queries keep their index on the generated time column.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_chain' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all()).toEqual(['audit_chain_by_time', 'audit_chain_other_kinds']);
    expect(db.prepare('EXPLAIN QUERY PLAN SELECT seq FROM audit_entries WHERE at >= ?').all(1_800_000_003).map((p) => (p as { detail: string }).detail).join()).toMatch(/audit_chain_by_time/);
    expect(db.prepare('SELECT seq FROM audit_entries WHERE at >= ? ORDER BY seq').pluck().all(t.fields[37]?.at)).toEqual([38, 39, 40]);
    const kindFilter = fieldEquals('kind', 'grant');
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT e.seq FROM audit_entries e WHERE ${kindFilter.sql} ORDER BY e.seq DESC LIMIT 10`).all(...kindFilter.args);
    expect(plan.map((p) => (p as { detail: string }).detail).join()).toMatch(/audit_chain_other_kinds/);
    db.close();
    const r = verifyAuditLog(t.db, { home: t.home });
    expect(r.errors).toEqual([]);
    expect(r.entries).toBe(40);
  });

  it('says on stderr, once, that it is upgrading a large log, and how long it took', () => {
    const t = columnLayoutLog(100_000);
    const said: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (said.push(String(chunk)), true));
    try {
      openDatabase(t.db).close();
      openDatabase(t.db).close();
    } finally {
      spy.mockRestore();
    }
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/upgrading the audit log \(100,000 entries\)/);
    expect(said[1]).toMatch(/audit log upgraded in \d+\.\d s/);
  }, 60_000);

  it('carries a hand-edited column through the migration as a break at the same seq', () => {
    const t = columnLayoutLog(20);
    const raw = new Database(t.db);
    raw.prepare("UPDATE audit_entries SET decision = 'allow', authorized = 1 WHERE seq = 8").run();
    raw.close();
    expect(kinds(verifyAuditLog(t.db, { home: t.home }))).toEqual([[8, 'modified']]);
    openDatabase(t.db).close();
    expect(kinds(verifyAuditLog(t.db, { home: t.home }))).toEqual([[8, 'modified']]);
  });

  it('verifies a file written before migration 9 read-only, without migrating it, sequentially and in parallel', async () => {
    const t = columnLayoutLog(30);
    const raw = new Database(t.db);
    raw.exec('UPDATE audit_entries SET seq = -1 WHERE seq = 11; UPDATE audit_entries SET seq = 11 WHERE seq = 12; UPDATE audit_entries SET seq = 12 WHERE seq = -1');
    raw.close();
    const strategies: string[] = [];
    const parallel = await verifyAuditLogAsync(t.db, { home: t.home, workers: 2, parallelMinEntries: 1, onStrategy: (s) => strategies.push(s) });
    expect(strategies).toEqual(['sequential']);
    expect(kinds(parallel)).toEqual([[11, 'reordered']]);
    expect(parallel).toEqual(verifyAuditLog(t.db, { home: t.home }));
    const again = new Database(t.db, { readonly: true });
    expect(schemaVersion(again)).toBe(8);
    again.close();
  });

  it('names a move of any distance, which the stored text records', async () => {
    const t = tempHome();
    const store = openStore(t.db, { env: t.env, checkpointSeconds: 3600 });
    for (let i = 0; i < 60; i++) await store.audit.append({ kind: 'decision', actor: 'a', capability: 'c', tool: 't', decision: 'allow', authorized: true, reason: `r${i}`, rule: null, policyHash: 'p', payload: {} });
    await store.close();
    const raw = new Database(t.db);
    raw.exec('UPDATE audit_chain SET seq = -1 WHERE seq = 10; UPDATE audit_chain SET seq = 10 WHERE seq = 50; UPDATE audit_chain SET seq = 50 WHERE seq = -1');
    raw.close();
    const r = verifyAuditLog(t.db, { home: t.home });
    expect(r.errors).toContainEqual(expect.objectContaining({ seq: 10, kind: 'reordered', message: expect.stringContaining('written as entry 50') }));
  });

  it('reads a stored text that is not JSON as empty columns instead of failing queries, and verify names it', async () => {
    const t = tempHome();
    const store = openStore(t.db, { env: t.env, checkpointSeconds: 3600 });
    for (let i = 0; i < 5; i++) await store.audit.append({ kind: 'decision', actor: 'a', capability: 'c', tool: 't', decision: 'allow', authorized: true, reason: 'ok', rule: null, policyHash: 'p', payload: {} });
    await store.close();
    const raw = new Database(t.db);
    raw.prepare("UPDATE audit_chain SET canonical = 'not json {' WHERE seq = 3").run();
    raw.close();
    const reopened = openStore(t.db, { env: t.env });
    const page = await reopened.audit.query({ limit: 10 });
    expect(page.map((e) => [e.seq, e.actor])).toEqual([[5, 'a'], [4, 'a'], [3, null], [2, 'a'], [1, 'a']]);
    await reopened.close();
    expect(kinds(verifyAuditLog(t.db, { home: t.home }))).toEqual([[3, 'modified']]);
  });
});

describe('audit queries over the stored text', () => {
  it('finds by exact field and by free text whatever the text needs escaped in JSON', async () => {
    const t = tempHome();
    const store = openStore(t.db, { env: t.env, checkpointSeconds: 3600 });
    const actors = ['plain', 'say "hi"', 'back\\slash', 'café', 'tab\tagent', 'smile 😀'];
    for (const [i, actor] of actors.entries()) {
      await store.audit.append({ kind: i % 2 ? 'grant' : 'decision', actor, capability: `cap.${i}`, tool: 't', decision: 'allow', authorized: true, reason: `why ${actor}`, rule: null, policyHash: 'p', payload: {} });
    }
    for (const actor of actors) {
      expect((await store.audit.query({ actor })).map((e) => e.actor)).toEqual([actor]);
      expect((await store.audit.query({ text: actor })).map((e) => e.actor)).toEqual([actor]);
    }
    // LIKE's ASCII case folding, as before; the key names in the text match nothing by themselves.
    expect((await store.audit.query({ text: 'PLAIN' })).map((e) => e.actor)).toEqual(['plain']);
    expect(await store.audit.query({ text: 'payload_commitment' })).toEqual([]);
    expect((await store.audit.query({ kind: 'grant' })).map((e) => e.actor)).toEqual(['smile 😀', 'café', 'say "hi"']);
    expect((await store.audit.query({ kind: 'decision' })).map((e) => e.actor)).toEqual(['tab\tagent', 'back\\slash', 'plain']);
    expect((await store.audit.query({ kind: 'grant', actor: 'café' })).map((e) => e.actor)).toEqual(['café']);
    // A reason that merely mentions the decision kind does not hide a grant from the index.
    await store.audit.append({ kind: 'grant', actor: 'g', capability: 'c', tool: 't', decision: 'allow', authorized: true, reason: '"kind":"decision"', rule: null, policyHash: 'p', payload: {} });
    expect((await store.audit.query({ kind: 'grant', limit: 1 })).map((e) => e.actor)).toEqual(['g']);
    expect(await store.audit.query({ actor: 'pla' })).toEqual([]);
    // A lone surrogate is hashed as JSON escapes it; the stored text keeps that escape, so it verifies.
    await store.audit.append({ kind: 'decision', actor: 'lone \ud800 half', capability: 'c', tool: 't', decision: 'allow', authorized: true, reason: 'r', rule: null, policyHash: 'p', payload: {} });
    expect(await store.audit.query({ text: 'lone' })).toHaveLength(1);
    await store.close();
    expect(verifyAuditLog(t.db, { home: t.home }).errors).toEqual([]);
  });
});

describe('chainLinkOf', () => {
  it('reads the seq and link of a canonical text whatever its strings contain', () => {
    for (const reason of reasons) {
      const e: HashedEntryFields = {
        seq: 12345, at: 1.5, kind: 'decision', actor: ',"seq":1,', capability: 'c', tool: 't', decision: 'allow', authorized: true, reason, rule: ',"prev_hash":"0000",', policyHash: 'p',
        environment: null, sessionId: ',"seq":7,', approvalId: null, approver: null, approverReason: null, payloadCommitment: 'x', prevHash: 'ab'.repeat(32),
      };
      expect(chainLinkOf(entryCanonical(e))).toEqual({ seq: 12345, prevHash: 'ab'.repeat(32) });
    }
  });
  it('gives undefined for anything that is not the canonical shape', () => {
    for (const text of ['', 'not json', '{"prev_hash":"x","seq":1}', '{"a":1,"prev_hash":"x","seq":01,"v":1}', '{"a":1,"prev_hash":"x,"seq":1}', '{"a":1,"prev_hash":"x","seq":-1,"v":1}']) {
      expect(chainLinkOf(text)).toBeUndefined();
    }
  });
});
