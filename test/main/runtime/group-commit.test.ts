// Environment: node. The gateway's group-commit backend over a real SQLite store.
import { afterAll, describe, expect, it } from 'vitest';
import { GroupCommitBackend } from '../../../main/runtime/group-commit-backend.js';
import { StoreBackend } from '../../../main/runtime/store-backend.js';
import type { AuditRecord } from '../../../main/runtime/backend.js';
import { openStore } from '../../../main/store/store.js';
import { verifyAuditLog } from '../../../main/store/verify.js';
import { removeTestEnvs, testEnv } from '../mcp/helpers.js';

afterAll(removeTestEnvs);

const record = (i: number, payload: Record<string, unknown> = { i }): AuditRecord => ({
  kind: 'decision',
  actor: 'agent',
  capability: 'mcp.s.t',
  tool: 't',
  decision: 'allow',
  authorized: true,
  reason: 'policy_allow',
  rule: 'allow[0]',
  policyHash: 'h',
  payload,
});

describe('GroupCommitBackend', () => {
  it('commits appends made together in one batch, in order, each with its own seq, and the chain verifies', async () => {
    const t = testEnv('version: 1\n');
    const store = openStore(t.db, { env: t.env });
    const backend = new GroupCommitBackend(new StoreBackend(store, false));
    try {
      const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => backend.appendAudit(record(i))));
      expect(seqs.map((s) => s.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const one = await backend.appendAudit(record(20));
      expect(one.seq).toBe(21);
      const entries = await store.audit.query({ limit: 100 });
      expect(entries.map((e) => (e.payload as { i: number }).i).sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    } finally {
      await store.close();
    }
    const v = verifyAuditLog(t.db, { home: t.home });
    expect(v.errors).toEqual([]);
    expect(v).toMatchObject({ valid: true, entries: 21 });
  });

  it('fails only the entry that cannot be recorded when a batch fails', async () => {
    const t = testEnv('version: 1\n');
    const store = openStore(t.db, { env: t.env });
    const backend = new GroupCommitBackend(new StoreBackend(store, false));
    try {
      const results = await Promise.allSettled([backend.appendAudit(record(1)), backend.appendAudit(record(2, { n: 2n ** 80n })), backend.appendAudit(record(3))]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await store.audit.query({})).length).toBe(2);
    } finally {
      await store.close();
    }
  });
});
