import { parseCapability, type Capability } from './capability.js';
import type { PolicyDiagnostic } from './diagnostics.js';
import type { DecisionInput, Policy, PolicyRule } from './types.js';

const passRank = (r: PolicyRule): number => (r.action === 'deny' || r.action === 'block' ? 0 : r.action === 'require_approval' ? 1 : 2);
const ruleName = (r: PolicyRule) => `${r.origin.section}[${r.origin.index}]`;
const covers = (a: Capability, b: Capability) =>
  (a.resource === '*' || a.resource === b.resource) && (a.action === '*' || a.action === b.action) && (a.scope === '*' || a.scope === b.scope);

/** Keys the runtime and case-file events always put in the decision context. */
const ALWAYS_SET = new Set(['environment', 'user_role', 'tool_name', 'risk_level']);
const CONTEXT_KEYS = ['environment', 'user_role', 'tenant', 'table', 'tool_name', 'risk_level'];

/**
 * Advice on a loaded policy: overly broad wildcards (as the original warns), rules that can never
 * decide because an earlier rule always wins, rules that can never match, and conditions on fields
 * the given events never carry. Never errors: a lint finding does not stop a policy from loading.
 */
export function lintPolicy(policy: Policy, sampleEvents: readonly DecisionInput[] = []): PolicyDiagnostic[] {
  const out: PolicyDiagnostic[] = [];
  const warn = (r: PolicyRule | undefined, code: string, message: string, hint?: string) =>
    out.push({ severity: 'warning', code, message, ...(r?.origin.location ? { location: r.origin.location } : {}), ...(hint ? { hint } : {}) });

  const parsed = policy.rules.map((r) => parseCapability(r.capability));
  policy.rules.forEach((r, i) => {
    const p = parsed[i];
    if (!p || !p.ok) {
      warn(r, 'invalid-capability', `rule \`${ruleName(r)}\` has an invalid capability \`${r.capability}\`; it only matches by raw text and the runtime refuses it`, 'capabilities use letters, digits, `_`, `-`, `.` and `*`');
      return;
    }
    const c = p.value;
    if ((r.action === 'allow' || r.action === 'warn' || r.action === 'require_approval') && c.resource === '*' && c.action === '*') {
      warn(r, 'broad-wildcard', `rule \`${ruleName(r)}\` ${r.action === 'require_approval' ? 'asks approval for' : 'allows'} every capability (\`${r.capability}\`)`, 'name the resource, e.g. `files.read.*`');
    }
    if ((c.resource === 'system' || c.resource === 'root') && (c.action === '*' || c.scope === '*') && r.action !== 'deny' && r.action !== 'block') {
      warn(r, 'broad-wildcard', `rule \`${ruleName(r)}\` grants a wildcard over the privileged resource \`${c.resource}\``);
    }
    for (const part of [c.resource, c.action, c.scope]) {
      if (part.includes('*') && part !== '*') {
        warn(r, 'literal-star', `rule \`${ruleName(r)}\` capability \`${r.capability}\` has \`*\` inside a part, which matches only a literal \`*\``, 'use `*` as a whole part: `shell.*` covers every shell action');
        break;
      }
    }
    const a = r.conditions;
    const num = (k: string) => (typeof a[k] === 'number' ? (a[k] as number) : a[k] instanceof Number ? (a[k] as Number).valueOf() : undefined);
    for (const prefix of ['amount', 'caller_depth']) {
      const lo = Math.max(num(`${prefix}_gt`) ?? -Infinity, num(`${prefix}_gte`) ?? -Infinity);
      const hi = Math.min(num(`${prefix}_lt`) ?? Infinity, num(`${prefix}_lte`) ?? Infinity);
      const strict = num(`${prefix}_gt`) === lo || num(`${prefix}_lt`) === hi;
      if (lo > hi || (lo === hi && strict)) warn(r, 'never-matches', `rule \`${ruleName(r)}\` can never match: \`${prefix}\` cannot be above ${lo} and below ${hi}`);
    }
    if (Array.isArray(a['contains'])) {
      warn(r, 'contains-list', `rule \`${ruleName(r)}\` gives \`contains\` a list; it is matched as the list's python text, not as any of its items`, 'use `match_keywords` for a list of words');
    }
    // Shadowing: an unconditional rule earlier in the decision order whose pattern covers this one.
    const rank = passRank(r);
    for (let j = 0; j < policy.rules.length; j++) {
      const s = policy.rules[j] as PolicyRule;
      if (j === i || Object.keys(s.conditions).length > 0) continue;
      const sp = parsed[j];
      if (!sp || !sp.ok) continue;
      const sRank = passRank(s);
      if (sRank < rank || (sRank === rank && j < i)) {
        if (covers(sp.value, c)) {
          warn(r, 'shadowed', `rule \`${ruleName(r)}\` can never decide: \`${ruleName(s)}\` (\`${s.capability}\`, ${s.action}) always matches first`, 'remove the rule or narrow the earlier one');
          break;
        }
      }
    }
  });

  if (sampleEvents.length > 0) {
    const seen = new Set<string>();
    for (const e of sampleEvents) {
      for (const [k, v] of Object.entries(e.context)) if (v !== null && v !== undefined) seen.add(k);
      for (const k of Object.keys(e.payload)) seen.add(k);
    }
    policy.rules.forEach((r) => {
      for (const k of Object.keys(r.conditions)) {
        if (CONTEXT_KEYS.includes(k) && !seen.has(k)) warn(r, 'unused-field', `rule \`${ruleName(r)}\` tests \`${k}\`, which none of the ${sampleEvents.length} events carries`);
      }
    });
  } else {
    policy.rules.forEach((r) => {
      for (const k of Object.keys(r.conditions)) {
        if (CONTEXT_KEYS.includes(k) && !ALWAYS_SET.has(k)) {
          warn(r, 'unused-field', `rule \`${ruleName(r)}\` tests \`${k}\`, which events carry only when the caller sets it in metadata or the payload`, 'pass events with `--events` to check against real traffic');
        }
      }
    });
  }
  return out;
}
