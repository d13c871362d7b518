import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../shared/policy/compile.js';
import { decide } from '../../../shared/policy/decide.js';
import { linearDecide } from '../../../shared/policy/linear-evaluator.js';
import { loadPolicyText } from '../../../shared/policy/load.js';
import type { DecisionInput, Policy, PolicyRule, RuleAction } from '../../../shared/policy/types.js';

const part = fc.constantFrom('a', 'b', 'c', '*', 'x_y', 'a-b');
const capPattern = fc.oneof(
  part,
  fc.tuple(part, part).map(([a, b]) => `${a}.${b}`),
  fc.tuple(part, part, part).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.tuple(part, part, part, part).map(([a, b, c, d]) => `${a}.${b}.${c}.${d}`),
  fc.constantFrom('bad:cap.*', 'a b', 'a.*'),
);
const reqCap = fc.oneof(
  fc.tuple(part, part, part).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.tuple(part, part).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom('a', 'bad:cap.x', 'a.b.c.d'),
);
const condition = fc.oneof(
  fc.record({ amount_gt: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ amount_lte: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ environment: fc.constantFrom('prod*', 'dev', '*', 'p?od') }),
  fc.record({ contains: fc.constantFrom('rm', 'secret', "'cmd'") }),
  fc.record({ match_keywords: fc.array(fc.constantFrom('sudo', 'ls', 'x'), { maxLength: 2 }) }),
  fc.record({ match_regex: fc.constantFrom('^ls', 'rm\\s', 'a|b') }),
  fc.record({ user_role: fc.constantFrom('admin', 'viewer') }),
  fc.constant({}),
);
const rule = fc.record({
  capability: capPattern,
  action: fc.constantFrom<RuleAction>('allow', 'deny', 'block', 'require_approval', 'warn'),
  conditions: condition,
});
const policyArb = fc.record({
  rules: fc.array(rule, { maxLength: 25 }),
  riskLevels: fc.dictionary(fc.constantFrom('low', 'high', 'critical'), fc.constantFrom<RuleAction>('allow', 'deny', 'block', 'require_approval', 'warn')),
});
const inputArb = fc.record({
  capability: reqCap,
  context: fc.record({
    environment: fc.constantFrom('production', 'dev', 'prod'),
    user_role: fc.constantFrom('admin', 'viewer', null),
    risk_level: fc.constantFrom('low', 'high', 'critical', null),
  }),
  payload: fc.record({
    amount: fc.oneof(fc.integer({ min: -10, max: 200 }), fc.constant('50'), fc.constant(null)),
    command: fc.constantFrom('ls -la', 'sudo rm -rf /', 'cat secret', 'echo a'),
  }),
});

function toPolicy(p: { rules: Omit<PolicyRule, 'origin'>[]; riskLevels: Record<string, RuleAction> }): Policy {
  return {
    id: 'prop',
    file: 'prop.yaml',
    rules: p.rules.map((r, i) => ({ ...r, origin: { file: 'prop.yaml', policyId: 'prop', section: 'rules', index: i } })),
    riskLevels: p.riskLevels,
    meta: {},
    mcp: {},
    files: ['prop.yaml'],
  };
}

describe('the indexed engine equals the plain linear evaluator', () => {
  it('on random policies and events (verdict and deciding rule)', () => {
    fc.assert(
      fc.property(policyArb, fc.array(inputArb, { minLength: 1, maxLength: 8 }), (p, inputs) => {
        const policy = toPolicy(p);
        const compiled = compilePolicy(policy);
        for (const input of inputs as DecisionInput[]) {
          const got = decide(compiled, input);
          const want = linearDecide(policy, input);
          expect({ verdict: got.verdict, ruleIndex: got.rule_index }).toEqual(want);
          // Asking twice hits the memoised candidate lists: same answer.
          expect(decide(compiled, input).verdict).toBe(got.verdict);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('the policy parser never throws', () => {
  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const r = loadPolicyText(text, 'fuzz.yaml');
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.diagnostics.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
  it('on random yaml-ish policy documents', () => {
    const key = fc.constantFrom('deny', 'allow', 'require_approval', 'rules', 'risk_levels', 'extends', 'mcp', 'version', 'bogus');
    const val = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null), fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.dictionary(key, val), (doc) => {
        const r = loadPolicyText(JSON.stringify(doc), 'fuzz.yaml');
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
