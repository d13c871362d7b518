import { capabilityMatches } from './capability.js';
import { compileCondition, EvalState } from './conditions.js';
import type { DecisionInput, Policy, PolicyRule, Verdict } from './types.js';

/**
 * The plainest possible evaluator: every rule, every decision, in the original's four passes.
 * It is the yardstick the indexed engine is tested against (property tests) and measured against
 * (benchmarks); never use it to enforce.
 */
export function linearDecide(policy: Policy, input: DecisionInput): { verdict: Verdict; ruleIndex: number | null } {
  const s = new EvalState(input);
  const holds = (r: PolicyRule) => capabilityMatches(r.capability, input.capability) && Object.entries(r.conditions).every(([k, v]) => compileCondition(k, v).test(s));
  const pass = (pred: (r: PolicyRule) => boolean) => policy.rules.findIndex((r) => pred(r) && holds(r));
  let i = pass((r) => r.action === 'deny' || r.action === 'block');
  if (i >= 0) return { verdict: 'deny', ruleIndex: i };
  i = pass((r) => r.action === 'require_approval');
  if (i >= 0) return { verdict: 'require_approval', ruleIndex: i };
  const level = input.context['risk_level'];
  if (typeof level === 'string') {
    const a = policy.riskLevels[level];
    if (a === 'deny' || a === 'block') return { verdict: 'deny', ruleIndex: null };
    if (a === 'require_approval' || a === 'warn') return { verdict: a, ruleIndex: null };
  }
  i = pass((r) => r.action === 'allow' || r.action === 'warn');
  if (i >= 0) return { verdict: (policy.rules[i] as PolicyRule).action === 'warn' ? 'warn' : 'allow', ruleIndex: i };
  return { verdict: 'default_deny', ruleIndex: null };
}
