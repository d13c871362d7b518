import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { compilePolicy, type CompiledPolicy } from '../../../shared/policy/compile.js';
import { normalizeCaseEvent } from '../../../shared/policy/normalize.js';
import { displayVerdict } from '../../../shared/policy/types.js';
import { ActionEvent } from '../../../shared/events/action-event.js';
import { loadPolicyFromDisk } from '../../../main/policy/load-policy.js';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { ReplayEngine } from '../../../main/replay/replay-engine.js';
import { runCli } from '../../../main/cli/main.js';
import { memoryIo } from '../../../main/cli/io.js';

const REF = join(import.meta.dirname, '../../fixtures/reference');
const PY = join(REF, 'capfence-py');
const jsonl = (p: string) =>
  readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const cache = new Map<string, CompiledPolicy>();
function compiled(rel: string, base = PY): CompiledPolicy {
  const path = join(base, rel);
  let c = cache.get(path);
  if (!c) {
    const r = loadPolicyFromDisk(path);
    if (!r.ok) throw new Error(`${rel}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    c = compilePolicy(r.policy);
    cache.set(path, c);
  }
  return c;
}

describe('policy_cases.jsonl: the original\'s verdicts on its own policies', () => {
  const cases = jsonl(join(REF, 'expected/policy_cases.jsonl'));
  it('has the recorded cases', () => expect(cases.length).toBeGreaterThan(1000));
  it('decides every case exactly as the original (verdict, reason, section, rule index)', () => {
    const mismatches: string[] = [];
    for (const [i, c] of cases.entries()) {
      if (c['load_error']) {
        expect(loadPolicyFromDisk(join(PY, c['policy'] as string)).ok).toBe(false);
        continue;
      }
      const e = decide(compiled(c['policy'] as string), normalizeCaseEvent(c['event'] as Record<string, unknown>));
      const got = { verdict: displayVerdict(e.verdict), raw_verdict: e.verdict, reason: e.reason, section: e.section, rule_index: e.rule_index };
      const want = { verdict: c['verdict'], raw_verdict: c['raw_verdict'], reason: c['reason'], section: c['section'], rule_index: c['rule_index'] };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`#${i} ${c['policy']} ${JSON.stringify(c['event'])}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

describe('runtime_cases.jsonl: ActionRuntime on the seed policy', () => {
  const cases = jsonl(join(REF, 'expected/runtime_cases.jsonl'));
  it('returns the original\'s authorized, decision, reason and capability', async () => {
    const runtime = ActionRuntime.fromPolicy(join(REF, 'expected/seed_ops.yaml'), { db: ':memory:' });
    const mismatches: string[] = [];
    for (const c of cases) {
      const v = await runtime.execute(ActionEvent.create(c['event'] as Parameters<typeof ActionEvent.create>[0]));
      const ok = v.authorized === c['authorized'] && v.decision === c['decision'] && v.reason.startsWith(c['reason'] as string) && v.capability === c['capability'];
      if (!ok) mismatches.push(`${JSON.stringify(c['event'])}: got ${v.authorized} ${v.decision} ${v.reason} ${v.capability}; want ${c['authorized']} ${c['decision']} ${c['reason']} ${c['capability']}`);
    }
    await runtime.close();
    expect(cases.length).toBe(100);
    expect(mismatches).toEqual([]);
  });
});

describe('replay_summaries.json: simulatePolicy counts and per-event decisions', () => {
  const summaries = JSON.parse(readFileSync(join(REF, 'expected/replay_summaries.json'), 'utf8')) as Record<string, unknown>[];
  for (const s of summaries) {
    it(`${s['trace']} × ${s['policy']}`, async () => {
      const policyPath = s['policy'] === 'seed_ops.yaml' ? join(REF, 'expected/seed_ops.yaml') : join(PY, s['policy'] as string);
      const r = await new ReplayEngine().simulatePolicy({ tracePath: join(REF, 'expected', s['trace'] as string), policyPath });
      expect({
        total_events: r.totalEvents,
        authorized: r.authorized,
        blocked: r.blocked,
        require_approval: r.requireApproval,
        diffs_detected: r.diffsDetected,
        decisions: r.results.map((x) => x.decision),
        capabilities: r.results.map((x) => x.capability),
      }).toEqual({
        total_events: s['total_events'],
        authorized: s['authorized'],
        blocked: s['blocked'],
        require_approval: s['require_approval'],
        diffs_detected: s['diffs_detected'],
        decisions: s['decisions'],
        capabilities: s['capabilities'],
      });
    });
  }
});

describe('starter pack case suite through the CLI', () => {
  it('passes 25/25 like the original', async () => {
    const io = memoryIo(PY);
    const code = await runCli(['policy', 'test', 'tests/fixtures/policy-packs/starter_pack_cases.yaml', '--json'], io);
    const out = JSON.parse(io.out()) as { passed: number; total: number; results: { name: string; actual: string; reason: string }[] };
    const expected = JSON.parse(readFileSync(join(REF, 'expected/starter_pack_results.json'), 'utf8')) as { name: string; actual: string; reason: string }[];
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(out.passed).toBe(25);
    expect(out.total).toBe(25);
    expect(out.results.map((r) => [r.name, r.actual, r.reason])).toEqual(expected.map((r) => [r.name, r.actual, r.reason]));
  });
});
