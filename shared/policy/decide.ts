import type { CompiledPolicy, CompiledRule } from './compile.js';
import { EvalState, explainConditions } from './conditions.js';
import type { DecisionInput, Explanation, RuleTrace, Verdict, VerdictSection } from './types.js';

function firstMatch(list: readonly CompiledRule[], s: EvalState): CompiledRule | undefined {
  outer: for (const r of list) {
    for (const c of r.conditions) if (!c.test(s)) continue outer;
    return r;
  }
  return undefined;
}

/**
 * The decision table, written once: deny, then require_approval, then the event's risk level,
 * then allow/warn, else default deny (fail closed). Within a pass, list order picks the rule.
 */
export function decide(compiled: CompiledPolicy, input: DecisionInput, opts: { explain?: boolean } = {}): Explanation {
  const s = new EvalState(input);
  const cands = compiled.candidates(input.capability);
  const considered: RuleTrace[] = [];
  const trace = (list: readonly CompiledRule[], section: VerdictSection, stopAt?: CompiledRule) => {
    if (!opts.explain) return;
    for (const r of list) {
      if (r === stopAt) break;
      considered.push({
        ruleIndex: r.index,
        section,
        capability: r.rule.capability,
        rule: r.name,
        conditions: explainConditions(r.conditions, s),
        matched: false,
        ...(r.rule.origin.location ? { location: r.rule.origin.location } : {}),
      });
    }
  };

  const deny = firstMatch(cands.deny, s);
  trace(cands.deny, 'deny', deny);
  if (deny) return fromRule(compiled, deny, 'deny', 'deny', 'policy_deny', s, considered, opts.explain);

  const approval = firstMatch(cands.approval, s);
  trace(cands.approval, 'require_approval', approval);
  if (approval) return fromRule(compiled, approval, 'require_approval', 'require_approval', 'policy_require_approval', s, considered, opts.explain);

  const level = input.context['risk_level'];
  if (typeof level === 'string') {
    const action = compiled.riskLevels.get(level);
    if (action === 'deny' || action === 'block' || action === 'require_approval' || action === 'warn') {
      const verdict: Verdict = action === 'block' ? 'deny' : action;
      return {
        policy_id: compiled.policy.id,
        verdict,
        section: 'risk_levels',
        rule_index: null,
        matched_rule: null,
        predicate_result: true,
        reason: `risk_level:${level}`,
        forbidden: verdict === 'deny',
        rule: `risk_levels.${level}`,
        conditions: [],
        considered,
      };
    }
  }

  const allow = firstMatch(cands.allow, s);
  trace(cands.allow, 'allow', allow);
  if (allow) {
    const warn = allow.rule.action === 'warn';
    return fromRule(compiled, allow, warn ? 'warn' : 'allow', warn ? 'warn' : 'allow', warn ? 'policy_warn' : 'policy_allow', s, considered, opts.explain);
  }

  return {
    policy_id: compiled.policy.id,
    verdict: 'default_deny',
    section: 'default',
    rule_index: null,
    matched_rule: null,
    predicate_result: false,
    reason: 'policy_default_deny',
    forbidden: false,
    rule: null,
    conditions: [],
    considered,
  };
}

function fromRule(compiled: CompiledPolicy, r: CompiledRule, verdict: Verdict, section: VerdictSection, reason: string, s: EvalState, considered: RuleTrace[], full = false): Explanation {
  return {
    policy_id: compiled.policy.id,
    verdict,
    section,
    rule_index: r.index,
    matched_rule: { capability: r.rule.capability, action: r.rule.action, conditions: r.rule.conditions },
    predicate_result: true,
    reason,
    forbidden: verdict === 'deny',
    rule: r.name,
    // Every condition of the matched rule held; what each looked at is only worth computing for explain.
    conditions: full ? explainConditions(r.conditions, s) : r.conditions.map((c) => ({ key: c.key, expected: c.expected, held: true })),
    considered,
    ...(r.rule.origin.location ? { location: r.rule.origin.location } : {}),
  };
}

/** `decide` with the full trace of every rule whose capability matched. */
export function explain(compiled: CompiledPolicy, input: DecisionInput): Explanation {
  return decide(compiled, input, { explain: true });
}
