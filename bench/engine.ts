import { compilePolicy } from '../shared/policy/compile.js';
import { decide } from '../shared/policy/decide.js';
import { linearDecide } from '../shared/policy/linear-evaluator.js';
import type { DecisionInput, Policy, PolicyRule } from '../shared/policy/types.js';
import { measure, type BenchRow } from './measure.js';

/** A deterministic pseudo-random generator, so every run measures the same workload. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** A generated policy: N rules over distinct `svcX.opY.envZ` capabilities, 10% deny, 10% approval. */
function generatePolicy(n: number, withConditions: boolean): Policy {
  const rules: PolicyRule[] = [];
  for (let i = 0; i < n; i++) {
    const action = i % 10 === 0 ? 'deny' : i % 10 === 1 ? 'require_approval' : 'allow';
    const conditions: Record<string, unknown> = withConditions ? (i % 2 === 0 ? { amount_gt: i % 1000 } : { environment: 'prod*' }) : {};
    rules.push({
      capability: `svc${i % Math.max(1, Math.floor(n / 4))}.op${i % 7}.env${i % 3}`,
      action,
      conditions,
      origin: { file: 'bench.yaml', policyId: 'bench', section: action, index: i },
    });
  }
  return { id: 'bench', file: 'bench.yaml', rules, riskLevels: {}, meta: {}, mcp: {}, files: ['bench.yaml'] };
}

function generateInputs(n: number, count: number): DecisionInput[] {
  const r = rng(42);
  const out: DecisionInput[] = [];
  for (let i = 0; i < count; i++) {
    const svc = Math.floor(r() * Math.max(1, Math.floor(n / 4)) * 1.1);
    out.push({
      capability: `svc${svc}.op${Math.floor(r() * 7)}.env${Math.floor(r() * 3)}`,
      context: { actor: 'agent', environment: r() < 0.5 ? 'production' : 'dev', risk_level: 'low' },
      payload: { amount: Math.floor(r() * 2000) },
    });
  }
  return out;
}

/** Cedar's equivalent of a generated policy: one permit or forbid per rule, context conditions as `when`. */
function cedarPolicies(policy: Policy): string {
  return policy.rules
    .map((r, i) => {
      const [svc, op, env] = r.capability.split('.');
      const effect = r.action === 'deny' ? 'forbid' : 'permit';
      const conds: string[] = [];
      if ('amount_gt' in r.conditions) conds.push(`context.amount > ${String(r.conditions['amount_gt'])}`);
      if ('environment' in r.conditions) conds.push('context.environment like "prod*"');
      const when = conds.length ? ` when { ${conds.join(' && ')} }` : '';
      return `@id("r${i}") ${effect}(principal, action == Action::"${op}", resource == Resource::"${svc}.${env}")${when};`;
    })
    .join('\n');
}

type Cedar = typeof import('@cedar-policy/cedar-wasm/nodejs');

async function loadCedar(): Promise<Cedar | undefined> {
  try {
    return (await import('@cedar-policy/cedar-wasm/nodejs')) as Cedar;
  } catch {
    return undefined;
  }
}

/** Median and p99 per decision for the indexed engine, the linear evaluator and Cedar, in one run. */
export async function runEngineBench(sizes: readonly number[] = [10, 100, 1000, 10000]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cedar = await loadCedar();
  for (const withConditions of [false, true]) {
    const suffix = withConditions ? '_conditions' : '';
    for (const n of sizes) {
      const policy = generatePolicy(n, withConditions);
      const compiled = compilePolicy(policy);
      const inputs = generateInputs(n, 512);
      let i = 0;
      const engine = measure(() => decide(compiled, inputs[i++ & 511] as DecisionInput), { batch: 64, budgetMs: 400 });
      rows.push({ name: `engine.median_ns.rules_${n}${suffix}`, unit: 'ns', value: engine.medianNs }, { name: `engine.p99_ns.rules_${n}${suffix}`, unit: 'ns', value: engine.p99Ns });
      const linear = measure(() => linearDecide(policy, inputs[i++ & 511] as DecisionInput), { batch: n >= 1000 ? 1 : 16, budgetMs: 300 });
      rows.push({ name: `linear.median_ns.rules_${n}${suffix}`, unit: 'ns', value: linear.medianNs });
      if (cedar) {
        const id = `bench_${n}${suffix}`;
        const parsed = cedar.preparsePolicySet(id, { staticPolicies: cedarPolicies(policy) });
        if (parsed.type !== 'success') throw new Error(`cedar rejected the generated policies: ${JSON.stringify(parsed).slice(0, 300)}`);
        const calls = inputs.map((inp) => {
          const [svc, op, env] = inp.capability.split('.');
          return {
            principal: { type: 'Agent', id: 'agent' },
            action: { type: 'Action', id: op as string },
            resource: { type: 'Resource', id: `${svc}.${env}` },
            context: { amount: inp.payload['amount'] as number, environment: inp.context['environment'] as string },
            preparsedPolicySetId: id,
            entities: [],
          };
        });
        const c = measure(() => cedar.statefulIsAuthorized(calls[i++ & 511] as (typeof calls)[number]), { batch: n >= 1000 ? 1 : 8, budgetMs: 400 });
        rows.push({ name: `cedar.median_ns.rules_${n}${suffix}`, unit: 'ns', value: c.medianNs });
      }
    }
  }
  return rows;
}
