import { parseCapability, type Capability } from './capability.js';
import { compileCondition, type CompiledCondition } from './conditions.js';
import type { Policy, PolicyRule, RuleAction } from './types.js';

/** One rule, compiled: its index in the merged list, pass, and condition closures. */
export interface CompiledRule {
  index: number;
  rule: PolicyRule;
  pass: 'deny' | 'require_approval' | 'allow';
  /** `deny[2]`, `rules[0]`: how diagnostics and the audit log name the rule. */
  name: string;
  parsed: Capability | null;
  conditions: CompiledCondition[];
}

/** Rule indices that can match one requested capability, split by pass and in list order. */
export interface Candidates {
  deny: readonly CompiledRule[];
  approval: readonly CompiledRule[];
  allow: readonly CompiledRule[];
}

/**
 * A policy compiled for deciding. Rules are indexed by their capability parts (a rule part is
 * either a literal or `*`), so a decision looks up at most eight buckets instead of scanning every
 * rule; the candidate lists per requested capability are memoised.
 */
export interface CompiledPolicy {
  policy: Policy;
  rules: CompiledRule[];
  candidates: (capability: string) => Candidates;
  riskLevels: ReadonlyMap<string, RuleAction>;
}

const passOf = (a: RuleAction): CompiledRule['pass'] => (a === 'deny' || a === 'block' ? 'deny' : a === 'require_approval' ? 'require_approval' : 'allow');

const MEMO_LIMIT = 4096;

/** Compiles a loaded policy. Pure; the result is immutable and safe to share. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const rules: CompiledRule[] = policy.rules.map((rule, index) => {
    const p = parseCapability(rule.capability);
    return {
      index,
      rule,
      pass: passOf(rule.action),
      name: `${rule.origin.section}[${rule.origin.index}]`,
      parsed: p.ok ? p.value : null,
      conditions: Object.entries(rule.conditions).map(([k, v]) => compileCondition(k, v)),
    };
  });

  // resource -> action -> scope -> rules (in list order).
  const index = new Map<string, Map<string, Map<string, CompiledRule[]>>>();
  // Unparseable patterns can only match through the original's string fallback.
  const fallback: CompiledRule[] = [];
  for (const r of rules) {
    if (!r.parsed) {
      fallback.push(r);
      continue;
    }
    const { resource, action, scope } = r.parsed;
    let byAction = index.get(resource);
    if (!byAction) index.set(resource, (byAction = new Map()));
    let byScope = byAction.get(action);
    if (!byScope) byAction.set(action, (byScope = new Map()));
    let list = byScope.get(scope);
    if (!list) byScope.set(scope, (list = []));
    list.push(r);
  }

  const memo = new Map<string, Candidates>();
  const candidates = (capability: string): Candidates => {
    const hit = memo.get(capability);
    if (hit) return hit;
    const found = lookup(capability);
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
    memo.set(capability, found);
    return found;
  };

  const lookup = (capability: string): Candidates => {
    const req = parseCapability(capability);
    let matched: CompiledRule[];
    if (!req.ok) {
      matched = rules.filter((r) => fallbackMatch(r.rule.capability, capability));
    } else {
      const { resource, action, scope } = req.value;
      matched = [];
      for (const rk of resource === '*' ? ['*'] : [resource, '*']) {
        const byAction = index.get(rk);
        if (!byAction) continue;
        for (const ak of action === '*' ? ['*'] : [action, '*']) {
          const byScope = byAction.get(ak);
          if (!byScope) continue;
          for (const sk of scope === '*' ? ['*'] : [scope, '*']) {
            const list = byScope.get(sk);
            if (list) matched.push(...list);
          }
        }
      }
      for (const r of fallback) if (fallbackMatch(r.rule.capability, capability)) matched.push(r);
      matched.sort((a, b) => a.index - b.index);
    }
    return {
      deny: matched.filter((r) => r.pass === 'deny'),
      approval: matched.filter((r) => r.pass === 'require_approval'),
      allow: matched.filter((r) => r.pass === 'allow'),
    };
  };

  return { policy, rules, candidates, riskLevels: new Map(Object.entries(policy.riskLevels)) };
}

function fallbackMatch(pattern: string, request: string): boolean {
  if (pattern === '*' || pattern === request) return true;
  return pattern.endsWith('.*') && request.startsWith(pattern.slice(0, -2));
}
