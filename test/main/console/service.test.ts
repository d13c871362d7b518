// Environment: node. The console service's handlers against a real SQLite store in a temp dir.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { requests, type ConsoleError, type RequestChannel, type RequestOf, type ResponseOf } from '../../../shared/ipc/contract.js';
import { harness, transfer, type Harness } from './helpers.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
function setup(): Harness {
  const h = harness();
  open.push(h);
  return h;
}

/** Calls a channel as a transport does and checks the answer against the contract's response schema. */
async function call<C extends RequestChannel>(h: Harness, channel: C, req: RequestOf<C>): Promise<ResponseOf<C>> {
  const r = await h.service.handle(channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return requests[channel].response.parse(r.value) as ResponseOf<C>;
}
async function refused(h: Harness, channel: string, req: unknown): Promise<ConsoleError> {
  const r = await h.service.handle(channel, req);
  if (r.ok) throw new Error(`${channel} was expected to fail`);
  return r.error;
}

describe('console service: session and approvals', () => {
  it('describes the session', async () => {
    const h = setup();
    const info = await call(h, 'session:info', {});
    expect(info).toMatchObject({ version: expect.any(String), dbPath: h.t.db, policyPath: h.policyPath, transport: 'websocket', gatewayUrl: null, user: 'alice' });
    expect(info.policyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('approves, denies and batch-decides durable requests exactly once', async () => {
    const h = setup();
    const ids: string[] = [];
    for (const amount of [2000, 3000, 4000]) ids.push((await h.runtime.execute(transfer(amount))).approvalId as string);
    const pending = await call(h, 'approvals:list', {});
    expect(pending.map((a) => a.id)).toEqual(ids);
    expect(pending[0]).toMatchObject({ status: 'pending', capability: 'payment.transfer.prod', arguments: { amount: 2000 } });

    const approved = await call(h, 'approvals:approve', { ids: [ids[0] as string], reason: 'known payee', grantForSeconds: 600 });
    expect(approved[0]).toMatchObject({ ok: true, approval: { status: 'approved', resolvedBy: 'alice', resolutionReason: 'known payee' } });
    expect(approved[0]?.approval?.grantId).toBeTruthy();

    const denied = await call(h, 'approvals:deny', { ids: [ids[1] as string], reason: 'wrong account' });
    expect(denied[0]).toMatchObject({ ok: true, approval: { status: 'denied', resolutionReason: 'wrong account' } });

    // A batch with one already-decided request: that one fails, the rest go through.
    const batch = await call(h, 'approvals:approve', { ids: [ids[2] as string, ids[1] as string] });
    expect(batch.map((r) => r.ok)).toEqual([true, false]);
    expect(batch[1]?.error).toMatch(/already denied/);
    expect(await call(h, 'approvals:list', {})).toEqual([]);
    expect((await call(h, 'approvals:list', { status: 'all' })).length).toBe(3);

    // The grant made with the first approval now covers the same actor and capability.
    const retry = await h.runtime.execute(transfer(9000));
    expect(retry).toMatchObject({ decision: 'allow', reason: expect.stringMatching(/^approved_grant:.*:alice$/) });
  });

  it('edits arguments on a single approval only, and validates every payload', async () => {
    const h = setup();
    const a = (await h.runtime.execute(transfer(5000))).approvalId as string;
    const b = (await h.runtime.execute(transfer(6000))).approvalId as string;
    expect((await refused(h, 'approvals:approve', { ids: [a, b], editedArguments: { amount: 1 } })).code).toBe('BAD_REQUEST');
    const r = await call(h, 'approvals:approve', { ids: [a], editedArguments: { amount: 4500 } });
    expect(r[0]?.approval?.editedArguments).toEqual({ amount: 4500 });
    expect(await refused(h, 'approvals:approve', { ids: [] })).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/at `ids`/) });
    expect((await refused(h, 'approvals:deny', { ids: 'nope' })).code).toBe('BAD_REQUEST');
    expect((await refused(h, 'nope:nothing', {})).code).toBe('BAD_REQUEST');
    expect((await refused(h, 'approvals:list', { status: 'weird' })).code).toBe('BAD_REQUEST');
  });

  it('pushes only the changed approval rows, from any writer', async () => {
    const h = setup();
    await h.runtime.execute(transfer(2000));
    await h.next('approvals:changed');
    h.events.length = 0;
    const second = (await h.runtime.execute(transfer(2500))).approvalId as string;
    const ev = await h.next('approvals:changed', (p) => p.approvals.some((a) => a.id === second));
    expect(ev.approvals.map((a) => a.id)).toEqual([second]);
    await h.next('audit:appended', (p) => p.head >= 2);
  });
});

describe('console service: grants', () => {
  it('creates and revokes grants, with events and typed refusals', async () => {
    const h = setup();
    const g = await call(h, 'grants:create', { actor: 'agent', capability: 'payment.transfer', durationSeconds: 60, uses: 2, reason: 'month end' });
    expect(g).toMatchObject({ actor: 'agent', capability: 'payment.transfer', environment: '*', usesLeft: 2, grantedBy: 'alice', tampered: false, revokedAt: null });
    await h.next('grants:changed', (p) => p.grants.some((x) => x.id === g.id));
    expect((await call(h, 'grants:list', {})).map((x) => x.id)).toEqual([g.id]);
    // The grant satisfies a require_approval decision.
    expect((await h.runtime.execute(transfer(5000))).decision).toBe('allow');

    const revoked = await call(h, 'grants:revoke', { id: g.id });
    expect(revoked).toMatchObject({ id: g.id, revokedBy: 'alice', tampered: false });
    expect(revoked.revokedAt).not.toBeNull();
    expect(await call(h, 'grants:list', {})).toEqual([]);
    expect((await call(h, 'grants:list', { activeOnly: false })).length).toBe(1);
    expect((await refused(h, 'grants:revoke', { id: g.id })).code).toBe('CONFLICT');
    expect((await refused(h, 'grants:revoke', { id: 'missing' })).code).toBe('NOT_FOUND');
    expect(await refused(h, 'grants:create', { actor: 'agent', capability: 'net:raw.*' })).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/invalid capability/) });
  });
});

describe('console service: policy', () => {
  it('checks drafts with located errors and lint warnings', async () => {
    const h = setup();
    const good = await call(h, 'policy:check', { text: 'version: 1\nallow:\n  - "*"\n' });
    expect(good.valid).toBe(true);
    expect(good.diagnostics.some((d) => d.severity === 'warning' && d.code === 'broad-wildcard')).toBe(true);
    const bad = await call(h, 'policy:check', { text: 'version: 1\ndeny:\n  - capability: shell.exec\n    amout_gt: 5\n' });
    expect(bad.valid).toBe(false);
    expect(bad.diagnostics[0]).toMatchObject({ severity: 'error', location: { file: h.policyPath, line: 4 }, hint: expect.stringContaining('amount_gt') });
    const strict = await call(h, 'policy:check', { text: 'version: 1\nallow:\n  - "net:raw.*"\n' });
    expect(strict.valid).toBe(false);
  });

  it('saves atomically, records the version, reloads the runtime and refuses stale or invalid drafts', async () => {
    const h = setup();
    const before = await call(h, 'policy:get', {});
    expect(before.text).toBe(readFileSync(h.policyPath, 'utf8'));
    const draft = before.text.replace('amount_gt: 1000', 'amount_gt: 10000').replace('amount_lte: 1000', 'amount_lte: 10000');

    expect((await refused(h, 'policy:save', { text: draft, baseHash: 'f'.repeat(64) })).code).toBe('CONFLICT');
    const invalid = await refused(h, 'policy:save', { text: 'version: 1\nallow:\n  - capability: x\n    bogus: 1\n', baseHash: before.hash });
    expect(invalid.code).toBe('POLICY_INVALID');
    expect(invalid.message).toMatch(/policy\.yaml:4:5: error: .*`bogus`/);
    expect(readFileSync(h.policyPath, 'utf8')).toBe(before.text);

    expect((await h.runtime.execute(transfer(5000))).decision).toBe('require_approval');
    const saved = await call(h, 'policy:save', { text: draft, baseHash: before.hash });
    expect(saved.path).toBe(h.policyPath);
    expect(readFileSync(h.policyPath, 'utf8')).toBe(draft);
    await h.next('policy:changed', (p) => p.hash === saved.hash);
    // Decisions made now name the saved version, whose text the store keeps.
    const v = await h.runtime.execute(transfer(5000));
    expect(v).toMatchObject({ decision: 'allow', policyHash: saved.hash });
    expect((await call(h, 'policy:version', { hash: saved.hash })).text).toBe(draft);
    expect((await call(h, 'policy:versions', {})).map((x) => x.hash)).toContain(saved.hash);
    expect((await refused(h, 'policy:version', { hash: 'nope' })).code).toBe('NOT_FOUND');
    expect((await call(h, 'session:info', {})).policyHash).toBe(saved.hash);
  });

  it('lists recorded versions newest first without their texts, and bounds the page size', async () => {
    const h = setup();
    const base = await call(h, 'policy:get', {});
    const second = base.text.replace('amount_gt: 1000', 'amount_gt: 2000');
    const third = second.replace('amount_lte: 1000', 'amount_lte: 2000');
    const a = await call(h, 'policy:save', { text: second, baseHash: base.hash });
    await new Promise((r) => setTimeout(r, 5));
    const b = await call(h, 'policy:save', { text: third, baseHash: a.hash });
    const listed = await call(h, 'policy:versions', {});
    expect(listed.slice(0, 2).map((v) => v.hash)).toEqual([b.hash, a.hash]);
    expect(listed[0]!.createdAt).toBeGreaterThanOrEqual(listed[1]!.createdAt);
    expect(listed[0]).toEqual({ hash: b.hash, policyId: expect.any(String), sourcePath: h.policyPath, createdAt: expect.any(Number) });
    expect((await call(h, 'policy:versions', { limit: 1 })).map((v) => v.hash)).toEqual([b.hash]);
    expect((await call(h, 'policy:version', { hash: a.hash })).text).toBe(second);
    expect((await refused(h, 'policy:versions', { limit: 0 })).code).toBe('BAD_REQUEST');
    expect((await refused(h, 'policy:versions', { limit: 1001 })).code).toBe('BAD_REQUEST');
    expect((await refused(h, 'policy:version', { hash: '' })).code).toBe('BAD_REQUEST');
  });

  it('notices edits made to the policy file outside the console', async () => {
    const h = setup();
    const text = `${readFileSync(h.policyPath, 'utf8')}\n# edited by hand\n`;
    writeFileSync(h.policyPath, text);
    const ev = await h.next('policy:changed');
    expect(ev.path).toBe(h.policyPath);
    expect((await call(h, 'policy:get', {})).hash).toBe(ev.hash);
    expect(h.runtime.policy.text).toBe(text);
  });

  it('replays a trace and the audit log under the active policy and a draft, newly allowed first', async () => {
    const h = setup();
    const trace = [
      { actor: 'a', action: 'transfer', resource: 'payment', environment: 'prod', metadata: { payload: { amount: 500 } } },
      { actor: 'b', action: 'transfer', resource: 'payment', environment: 'prod', metadata: { payload: { amount: 5000 } } },
      { actor: 'c', action: 'transfer', resource: 'payment', environment: 'prod', metadata: { payload: { amount: 50 } } },
      { actor: 'd', action: 'read', resource: 'files', environment: 'prod' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const current = (await call(h, 'policy:get', {})).text;
    // The draft allows big transfers and denies small ones.
    const draft = 'version: 1\ndeny:\n  - capability: payment.transfer\n    amount_lt: 100\nallow:\n  - payment.transfer\n  - files.read\n';
    const r = await call(h, 'policy:replay', { text: draft, source: { kind: 'trace-text', text: trace } });
    expect(r.total).toBe(4);
    expect(r.before).toEqual({ allow: 3, deny: 0, require_approval: 1 });
    expect(r.after).toEqual({ allow: 3, deny: 1, require_approval: 0 });
    expect(r.changes).toEqual([
      { ref: 2, actor: 'b', capability: 'payment.transfer.prod', before: 'require_approval', after: 'allow', afterReason: 'policy_allow', afterRule: 'allow[0]' },
      { ref: 3, actor: 'c', capability: 'payment.transfer.prod', before: 'allow', after: 'deny', afterReason: 'policy_deny', afterRule: 'deny[0]' },
    ]);
    expect(r.warnings.join('\n')).toMatch(/no `capfence_replay_version` header/);

    const file = join(h.t.home, 'trace.jsonl');
    writeFileSync(file, trace);
    expect((await call(h, 'policy:replay', { text: draft, source: { kind: 'trace-file', path: file } })).changes.length).toBe(2);
    expect((await refused(h, 'policy:replay', { text: draft, source: { kind: 'trace-file', path: join(h.t.home, 'none.jsonl') } })).code).toBe('NOT_FOUND');
    expect((await refused(h, 'policy:replay', { text: draft, source: { kind: 'trace-text', text: '{nope' } })).code).toBe('BAD_REQUEST');
    expect((await refused(h, 'policy:replay', { text: 'allow: 5', source: { kind: 'trace-text', text: trace } })).code).toBe('POLICY_INVALID');

    // Audit source: the newest audited decisions, re-decided with their capability and payload.
    for (const amount of [10, 20, 3000]) await h.runtime.execute(transfer(amount));
    const fromAudit = await call(h, 'policy:replay', { text: draft, source: { kind: 'audit', limit: 2 } });
    expect(fromAudit.total).toBe(2);
    expect(fromAudit.changes.map((c) => [c.before, c.after])).toEqual([
      ['require_approval', 'allow'],
      ['allow', 'deny'],
    ]);
    expect(current).toContain('amount_gt: 1000');
  });
});

describe('console service: audit', () => {
  async function fill(h: Harness, n: number) {
    for (let i = 0; i < n; i++) await h.runtime.execute(transfer(i % 2 ? 10 : 20, {}, i % 3 ? 'agent' : 'other'));
  }

  it('pages backwards with filters and shows one entry with the policy that decided it', async () => {
    const h = setup();
    await fill(h, 25);
    const first = await call(h, 'audit:query', { limit: 10 });
    expect(first.head).toBe(25);
    expect(first.entries.map((e) => e.seq)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    const second = await call(h, 'audit:query', { limit: 10, beforeSeq: 16 });
    expect(second.entries[0]?.seq).toBe(15);
    const others = await call(h, 'audit:query', { actor: 'other' });
    expect(others.entries.length).toBe(9);
    expect(others.entries.every((e) => e.actor === 'other')).toBe(true);
    expect((await call(h, 'audit:query', { text: 'OTHER' })).entries.length).toBe(9);
    expect((await call(h, 'audit:query', { decision: 'deny' })).entries).toEqual([]);

    const one = await call(h, 'audit:entry', { seq: 3 });
    expect(one.entry).toMatchObject({ seq: 3, payload: { amount: 20 }, redacted: false });
    expect(one.policy?.text).toBe(readFileSync(h.policyPath, 'utf8'));
    expect((await refused(h, 'audit:entry', { seq: 999 })).code).toBe('NOT_FOUND');
  });

  it('verifies the open log with progress, finds tampering, and reads other files read-only', async () => {
    const h = setup();
    await fill(h, 5);
    await h.store.audit.checkpoint();
    const good = await call(h, 'audit:verify', {});
    expect(good).toMatchObject({ valid: true, format: 'capfence', entries: 5 });
    const progress = await h.next('audit:verifyProgress');
    expect(progress).toEqual({ done: 5, total: 5 });

    const raw = new Database(h.t.db);
    raw.prepare("UPDATE audit_chain SET canonical = json_set(canonical, '$.reason', 'looks fine') WHERE seq = 3").run();
    raw.close();
    const bad = await call(h, 'audit:verify', {});
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]).toMatchObject({ seq: 3, kind: 'modified' });
    expect((await refused(h, 'audit:verify', { path: join(h.t.home, 'missing.db') })).code).toBe('NOT_FOUND');
  });

  it('exports filtered entries as JSONL and CSV, oldest first, like the CLI', async () => {
    const h = setup();
    await fill(h, 6);
    const jsonl = await call(h, 'audit:export', { format: 'jsonl', actor: 'agent' });
    expect(jsonl.count).toBe(4);
    expect(jsonl.filename).toMatch(/^capfence-audit-.*\.jsonl$/);
    const lines = jsonl.text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; actor: string });
    expect(lines.map((l) => l.seq)).toEqual([2, 3, 5, 6]);
    const csv = await call(h, 'audit:export', { format: 'csv' });
    expect(csv.count).toBe(6);
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).toMatch(/^seq,at,kind,actor,capability/);
    expect(rows[1]).toMatch(/^1,/);
  });
});
