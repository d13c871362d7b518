import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLog } from '../../../bench/generate-log.js';
import { entryCanonical, rowToEntry, sha256Hex } from '../../../main/store/audit-log.js';
import { openStore } from '../../../main/store/store.js';
import { verifyAuditLog } from '../../../main/store/verify.js';
import { DIST, tempHome } from '../../helpers/temp.js';

// The parallel pass runs worker threads from the built files (vitest runs the sources), so this
// test uses the build that `npm test` makes before the unit tests.
type VerifyModule = typeof import('../../../main/store/verify.js');
let built: VerifyModule;

beforeAll(async () => {
  const path = join(DIST, 'main/store/verify.js');
  expect(existsSync(join(DIST, 'main/store/verify-worker.js')), 'run `npm run build` first').toBe(true);
  built = (await import(path)) as VerifyModule;
});

/** A 30,000-entry log whose newest entries come from the real store, with a signed checkpoint. */
async function bigLog() {
  const t = tempHome();
  generateLog(t.db, 30_000);
  const store = openStore(t.db, { env: t.env });
  // Reasons that need JSON escapes, and text beyond ASCII: the stored canonical text must come back
  // from SQLite byte for byte, and its seq and link must be read by position past the escapes.
  const reasons = ['policy_allow', 'approval_denied:x: "not today" \\ said bob\n', 'tab\there', 'café 中文 😀', 'ctrl \u0001 char'];
  for (let i = 0; i < 5; i++) {
    await store.audit.append({ kind: 'decision', actor: i === 3 ? 'agént' : 'a', capability: 'files.read', tool: 't', decision: 'allow', authorized: i % 2 === 0, reason: reasons[i] as string, rule: null, policyHash: 'x', payload: { i } });
  }
  await store.close();
  return t;
}

describe('parallel verify', () => {
  it('says VALID with the same counts as the sequential pass, and reports progress up to the total', async () => {
    const t = await bigLog();
    const progress: number[] = [];
    const strategies: string[] = [];
    const report = await built.verifyAuditLogAsync(t.db, { home: t.home, workers: 2, parallelMinEntries: 1000, onProgress: (done) => progress.push(done), onStrategy: (s) => strategies.push(s) });
    expect(strategies).toEqual(['parallel']);
    const sequential = verifyAuditLog(t.db, { home: t.home });
    expect(report).toEqual(sequential);
    expect(report.valid).toBe(true);
    expect(report.entries).toBe(30_005);
    expect(report.checkpoints).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(30_005);
  });

  it('falls back to the sequential pass on any break and names it exactly', async () => {
    const t = await bigLog();
    const db = new Database(t.db);
    db.prepare("UPDATE audit_chain SET canonical = json_set(canonical, '$.reason', 'forged') WHERE seq = 24000").run();
    db.prepare('DELETE FROM audit_chain WHERE seq = 6000').run();
    db.close();
    const strategies: string[] = [];
    const report = await built.verifyAuditLogAsync(t.db, { home: t.home, workers: 2, parallelMinEntries: 1000, onStrategy: (s) => strategies.push(s) });
    expect(strategies).toEqual(['sequential']);
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.seq, e.kind])).toEqual([
      [6000, 'deleted'],
      [24000, 'modified'],
    ]);
    expect(report).toEqual(verifyAuditLog(t.db, { home: t.home }));
  });

  it('sees a chain re-hashed from a slice boundary on, where each slice alone looks consistent', async () => {
    const t = await bigLog();
    const db = new Database(t.db);
    // Slices of 15,003 with two workers: the second starts at 15,004. Rewrite from there and
    // re-chain every later entry, so each slice is consistent on its own.
    const rows = db.prepare('SELECT * FROM audit_entries WHERE seq >= 15004 ORDER BY seq').all() as Record<string, unknown>[];
    const update = db.prepare('UPDATE audit_chain SET canonical = ?, entry_hash = ? WHERE seq = ?');
    // The first rewritten entry links to nothing real: only the stitch between slices can see it.
    let prev = 'f'.repeat(64);
    db.transaction(() => {
      for (const r of rows) {
        const e = rowToEntry(r);
        const canonical = entryCanonical({ ...e, reason: e.seq === 15004 ? 'rewritten' : e.reason, prevHash: prev });
        prev = sha256Hex(canonical);
        update.run(canonical, prev, e.seq);
      }
    })();
    db.close();
    const report = await built.verifyAuditLogAsync(t.db, { home: t.home, workers: 2, parallelMinEntries: 1000 });
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => [e.seq, e.kind])).toEqual([[15003, 'modified']]);
    expect(report).toEqual(verifyAuditLog(t.db, { home: t.home }));
  });
});
