import { valueMatches } from '../py/equals.js';
import { pyFloatParse } from '../py/float.js';
import { payloadText, pyLower, pyStr, valuesText } from '../py/repr.js';
import { toNumber } from '../py/values.js';
import { extractAmount, extractPath } from './extract.js';
import { compileConditionRegexes } from './regex-conditions.js';
import type { ConditionOutcome, DecisionInput } from './types.js';

/**
 * Per-decision derived values, computed at most once and only when a condition asks: most
 * decisions never need the payload's Python rendering.
 */
export class EvalState {
  private text: string | undefined;
  private values: string | undefined;
  private amount: number | undefined | null = null;
  private path: string | undefined | null = null;
  constructor(readonly input: DecisionInput) {}
  get payloadText(): string {
    return (this.text ??= payloadText(this.input.payload));
  }
  get valuesText(): string {
    return (this.values ??= valuesText(this.input.payload));
  }
  get amountValue(): number | undefined {
    if (this.amount === null) this.amount = extractAmount(this.input.payload);
    return this.amount ?? undefined;
  }
  get pathValue(): string | undefined {
    if (this.path === null) this.path = extractPath(this.input.payload);
    return this.path ?? undefined;
  }
}

/** A compiled condition: `test` is the hot path; `actual` is for explanations only. */
export interface CompiledCondition {
  key: string;
  expected: unknown;
  test: (s: EvalState) => boolean;
  actual: (s: EvalState) => unknown;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** Each condition is an exclusion test, as in the original: it rejects the rule only when its comparison fails. */
export function compileCondition(key: string, expected: unknown): CompiledCondition {
  switch (key) {
    case 'contains': {
      const needle = pyLower(pyStr(expected));
      return { key, expected, test: (s) => s.payloadText.includes(needle), actual: (s) => s.payloadText };
    }
    case 'match_keywords': {
      const needles = asList(expected).map((k) => pyLower(pyStr(k)));
      return { key, expected, test: (s) => needles.some((n) => s.payloadText.includes(n)), actual: (s) => s.payloadText };
    }
    case 'match_regex': {
      const compiled = compileConditionRegexes(asList(expected));
      // Validation rejects bad patterns before compile; if one slips through, the rule never matches.
      const res = compiled.ok ? compiled.value : [];
      return { key, expected, test: (s) => compiled.ok && res.some((r) => r.test(s.valuesText)), actual: (s) => s.valuesText };
    }
    case 'amount_gt':
    case 'amount_gte':
    case 'amount_lt':
    case 'amount_lte': {
      const n = toNumber(expected) ?? NaN;
      const cmp = comparator(key.slice('amount_'.length), n);
      return { key, expected, test: (s) => cmp(s.amountValue), actual: (s) => s.amountValue ?? null };
    }
    case 'caller_depth_gt':
    case 'caller_depth_gte':
    case 'caller_depth_lt':
    case 'caller_depth_lte': {
      const n = toNumber(expected) ?? NaN;
      const cmp = comparator(key.slice('caller_depth_'.length), n);
      const depth = (s: EvalState) => {
        const raw = s.input.context['caller_depth'];
        return raw === null || raw === undefined ? undefined : pyFloatParse(raw);
      };
      return { key, expected, test: (s) => cmp(depth(s)), actual: (s) => depth(s) ?? null };
    }
    case 'path_prefix': {
      const prefix = pyStr(expected);
      return {
        key,
        expected,
        test: (s) => {
          const p = s.pathValue;
          return p !== undefined && p.startsWith(prefix);
        },
        actual: (s) => s.pathValue ?? null,
      };
    }
    default:
      // environment, user_role, tenant, table, tool_name, risk_level: the context value or the
      // payload value equals the expected one (Python ==) or glob-matches it.
      return {
        key,
        expected,
        test: (s) => valueMatches(ctx(s, key), expected) || valueMatches(pay(s, key), expected),
        actual: (s) => ctx(s, key) ?? pay(s, key) ?? null,
      };
  }
}

const ctx = (s: EvalState, key: string): unknown => (Object.hasOwn(s.input.context, key) ? s.input.context[key] : null);
const pay = (s: EvalState, key: string): unknown => (Object.hasOwn(s.input.payload, key) ? s.input.payload[key] : null);

/** `gt` fails when `a <= n`, and so on; NaN passes every comparison, as in the original. */
function comparator(op: string, n: number): (a: number | undefined) => boolean {
  switch (op) {
    case 'gt':
      return (a) => a !== undefined && !(a <= n);
    case 'gte':
      return (a) => a !== undefined && !(a < n);
    case 'lt':
      return (a) => a !== undefined && !(a >= n);
    default:
      return (a) => a !== undefined && !(a > n);
  }
}

/** Evaluates every condition, for explanations (the hot path stops at the first failure). */
export function explainConditions(conds: readonly CompiledCondition[], s: EvalState): ConditionOutcome[] {
  return conds.map((c) => ({ key: c.key, expected: c.expected, held: c.test(s), actual: c.actual(s) }));
}
