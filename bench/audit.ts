import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ActionEvent } from '../shared/events/action-event.js';
import { ActionRuntime } from '../main/runtime/action-runtime.js';
import { generateLog } from './generate-log.js';
import { openStore } from '../main/store/store.js';
import { verifyAuditLog, verifyAuditLogAsync } from '../main/store/verify.js';
import { percentile, type BenchRow } from './measure.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const POLICY = join(ROOT, '../test/fixtures/policies/payments.yaml');

function home(): { home: string; db: string; env: Record<string, string | undefined> } {
  const h = mkdtempSync(join(tmpdir(), 'capfence-bench-'));
  return { home: h, db: join(h, 'capfence.db'), env: { ...process.env, CAPFENCE_HOME: h } };
}

async function decisionsPerSecond(synchronous: 'NORMAL' | 'FULL', n: number): Promise<number> {
  const t = home();
  const rt = ActionRuntime.fromPolicy(POLICY, { db: t.db, env: t.env, store: { synchronous } });
  const ev = ActionEvent.create({ actor: 'bench', action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount: 10 } });
  for (let i = 0; i < 200; i++) await rt.execute(ev);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await rt.execute(ev);
  const rate = n / ((performance.now() - t0) / 1000);
  await rt.close();
  rmSync(t.home, { recursive: true, force: true });
  return rate;
}

/** Audited decisions/s (one process, NORMAL and FULL; 8 processes), verify throughput, approval wake-up. */
export async function runAuditBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  rows.push({ name: 'store.audited_decisions_per_s.one_process', unit: 'decisions/s', value: await decisionsPerSecond('NORMAL', 20_000) });
  rows.push({ name: 'store.audited_decisions_per_s.one_process_sync_full', unit: 'decisions/s', value: await decisionsPerSecond('FULL', 5_000), baseline: 'synchronous NORMAL' });

  const t = home();
  await openStore(t.db, { env: t.env }).close();
  const per = 2000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, (_, w) => run(process.execPath, [join(ROOT, '../test/workers/decide.mjs'), join(ROOT, '../dist/node'), t.db, POLICY, `a${w}`, String(per)], { env: t.env, maxBuffer: 64 << 20 })));
  rows.push({ name: 'store.audited_decisions_per_s.eight_processes', unit: 'decisions/s', value: (8 * per) / ((performance.now() - t0) / 1000) });
  rmSync(t.home, { recursive: true, force: true });

  const log = home();
  generateLog(log.db, 1_000_000);
  // Baseline in the same run: the single-threaded pass the parallel one falls back to.
  const s0 = performance.now();
  const single = verifyAuditLog(log.db, { home: log.home });
  const singleMs = performance.now() - s0;
  const v0 = performance.now();
  const report = await verifyAuditLogAsync(log.db, { home: log.home });
  const verifyMs = performance.now() - v0;
  if (!report.valid || !single.valid) throw new Error(`generated log did not verify: ${JSON.stringify(report.errors.slice(0, 2))}`);
  rows.push({ name: 'store.verify_ms.entries_1000000.single_thread', unit: 'ms', value: singleMs });
  rows.push({ name: 'store.verify_ms.entries_1000000', unit: 'ms', value: verifyMs, baseline: 'single thread' });
  rows.push({ name: 'store.verify_entries_per_s', unit: 'entries/s', value: 1_000_000 / (verifyMs / 1000) });
  rmSync(log.home, { recursive: true, force: true });

  // Cross-process approval wake-up: a child process approves; this one waits.
  const w = home();
  const rt = ActionRuntime.fromPolicy(POLICY, { db: w.db, env: w.env });
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const ev = ActionEvent.create({ actor: 'bench', action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount: 5000 + i } });
    const pending = await rt.execute(ev);
    const child = run(process.execPath, [join(ROOT, '../test/workers/approvals.mjs'), join(ROOT, '../dist/node'), w.db, 'approve', pending.approvalId as string, 'bench', '150'], { env: w.env });
    await rt.execute(ev, { waitForApproval: 5000 });
    const woke = Date.now();
    const { stdout } = await child;
    latencies.push(woke - (JSON.parse(stdout) as { at: number }).at);
  }
  await rt.close();
  rmSync(w.home, { recursive: true, force: true });
  rows.push({ name: 'store.approval_wakeup_ms.p50', unit: 'ms', value: percentile(latencies, 0.5) });
  rows.push({ name: 'store.approval_wakeup_ms.p95', unit: 'ms', value: percentile(latencies, 0.95) });
  return rows;
}
