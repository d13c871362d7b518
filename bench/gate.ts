import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionRuntime, type CallRequest } from '../main/runtime/action-runtime.js';
import { gate } from '../main/gate/gate.js';
import type { BenchRow } from './measure.js';

const POLICY = 'version: 1\nallow:\n  - files.read\n';

/** Median per-call microseconds of an async call, over rounds of sequential calls. */
async function perCallUs(call: () => Promise<unknown>, rounds: number, perRound: number): Promise<number> {
  for (let i = 0; i < perRound; i++) await call();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) await call();
    samples.push(Number(process.hrtime.bigint() - t0) / perRound / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

/**
 * What `gate()` adds to a call: a gated call against the same runtime's `decideCall` plus the
 * function, interleaved so both see the same machine; with the in-memory and the SQLite store.
 */
export async function runGateBench(): Promise<BenchRow[]> {
  const home = mkdtempSync(join(tmpdir(), 'capfence-bench-gate-'));
  const policy = join(home, 'policy.yaml');
  writeFileSync(policy, POLICY);
  const rows: BenchRow[] = [];
  const fn = async (input: { path: string }) => input.path.length;
  for (const [label, db, rounds, perRound] of [['memory', ':memory:', 40, 2000], ['sqlite', join(home, 'capfence.db'), 15, 1000]] as const) {
    const runtime = ActionRuntime.fromPolicy(policy, { db, env: { ...process.env, CAPFENCE_HOME: home } });
    const gated = gate(fn, { runtime, actor: 'bench', capability: 'files.read', tool: 'read' });
    const input = { path: '/tmp/x' };
    const direct = async () => {
      const req: CallRequest = { actor: 'bench', capability: 'files.read', tool: 'read', payload: { ...input }, environment: 'development', context: { actor: 'bench', environment: 'development', tool_name: 'read' } };
      const v = await runtime.decideCall(req);
      if (!v.authorized) throw new Error('bench policy denied');
      return fn(input);
    };
    let gatedUs = 0;
    let directUs = 0;
    // Alternate the two so drift (other load, GC, WAL growth) hits both alike.
    for (let k = 0; k < 3; k++) {
      directUs += await perCallUs(direct, rounds, perRound);
      gatedUs += await perCallUs(() => gated(input), rounds, perRound);
    }
    gatedUs /= 3;
    directUs /= 3;
    rows.push({ name: `gate.call_us.${label}`, unit: 'µs', value: gatedUs, baseline: `runtime.decideCall + fn: ${directUs.toFixed(2)} µs` });
    rows.push({ name: `gate.added_us_per_call.${label}`, unit: 'µs', value: Math.max(0, gatedUs - directUs), baseline: 'target < 5 µs' });
    await runtime.close();
  }
  rmSync(home, { recursive: true, force: true });
  return rows;
}
