// Environment: node. The change feed every console and gateway uses to see other processes' writes.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../main/store/change-feed.js';
import { openStore } from '../../../main/store/store.js';
import { tempHome } from '../../helpers/temp.js';

const entry = (i: number) => ({ kind: 'decision', actor: 'a', capability: 'files.read', tool: 't', decision: 'allow', authorized: true, reason: 'policy_allow', rule: null, policyHash: 'x', payload: { i } });

describe('change feed', () => {
  it('reports audit appends from another connection by the new head, and approvals by id, in order', async () => {
    const t = tempHome();
    const watcher = openStore(t.db, { env: t.env });
    const writer = openStore(t.db, { env: t.env });
    const seen: Change[] = [];
    const stop = watcher.changes.watch((c) => seen.push(...c), { intervalMs: 10 });
    try {
      await new Promise((r) => setTimeout(r, 30));
      await writer.audit.append(entry(1));
      await writer.audit.append(entry(2));
      await expect.poll(() => seen.filter((c) => c.kind === 'audit').at(-1)?.ref, { timeout: 2000 }).toBe('2');
      const a = await writer.approvals.createOrAttach({ actor: 'a', capability: 'payment.transfer', tool: 't', arguments: {}, argumentsHash: 'h', reason: 'r', rule: null, policyHash: null, expiresInSeconds: 60 });
      await expect.poll(() => seen.some((c) => c.kind === 'approval' && c.ref === a.id), { timeout: 2000 }).toBe(true);
      // Entries already there when watching starts are not news.
      const late: Change[] = [];
      const stopLate = watcher.changes.watch((c) => late.push(...c), { intervalMs: 10 });
      await new Promise((r) => setTimeout(r, 100));
      stopLate();
      expect(late.filter((c) => c.kind === 'audit')).toEqual([]);
    } finally {
      stop();
      await writer.close();
      await watcher.close();
    }
  });
});
