import { createHash } from 'node:crypto';
import { entryCanonical, GENESIS, sha256Hex } from '../main/store/audit-log.js';
import { openDatabase } from '../main/store/database.js';

/**
 * Writes `n` valid chained entries straight into a store file in one transaction: seconds for a
 * million, where appending them one decision at a time would take minutes. Benchmarks and tests
 * of large logs start from it.
 */
export function generateLog(dbPath: string, n: number): void {
  const db = openDatabase(dbPath);
  const insert = db.prepare('INSERT INTO audit_chain (seq, canonical, entry_hash) VALUES (?, ?, ?)');
  const head = db.prepare('SELECT seq, entry_hash FROM audit_chain ORDER BY seq DESC LIMIT 1').raw().get() as [number, string] | undefined;
  db.transaction(() => {
    let prev = head ? head[1] : GENESIS;
    const commitment = createHash('sha256').update('p').digest('hex');
    const from = head ? head[0] + 1 : 1;
    for (let seq = from; seq < from + n; seq++) {
      const e = {
        seq, at: 1_800_000_000 + seq / 1000, kind: 'decision', actor: `agent-${seq % 7}`, capability: seq % 5 === 0 ? 'payment.transfer.external' : 'files.read.workspace',
        tool: seq % 5 === 0 ? 'transfer' : 'read_file', decision: seq % 5 === 0 ? 'require_approval' : 'allow', authorized: seq % 5 !== 0, reason: seq % 5 === 0 ? 'approval_required' : 'policy_allow',
        rule: 'allow[0]', policyHash: 'p'.repeat(64), environment: 'dev', sessionId: null, approvalId: null, approver: null, approverReason: null, payloadCommitment: commitment, prevHash: prev,
      };
      const canonical = entryCanonical(e);
      const h = sha256Hex(canonical);
      insert.run(seq, canonical, h);
      prev = h;
    }
  })();
  db.close();
}
