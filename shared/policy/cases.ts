import { parsePyJson } from '../py/json.js';
import { parseYaml } from './parse.js';
import type { CompiledPolicy } from './compile.js';
import { decide } from './decide.js';
import { normalizeCaseEvent } from './normalize.js';
import { displayVerdict, type Explanation } from './types.js';
import { policyIdFromPath } from './validate.js';

/** One case of a case file: an event, the policy to judge it with, and the expected verdict. */
export interface PolicyCase {
  name: string;
  policy?: string;
  event: Record<string, unknown>;
  expected: string;
}

export interface CaseFile {
  suite: string;
  cases: PolicyCase[];
}

export interface CaseResult {
  name: string;
  policy: string;
  expected: string;
  actual: string;
  passed: boolean;
  reason: string;
  explanation: Explanation | null;
  error?: string;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Number);

/**
 * Parses the original's case-file format (`suite`/`name`, `cases: [{name, policy, event,
 * expected: {verdict}}]`, or a single case as the whole file); JSON for `.json`, YAML otherwise.
 */
export function parseCaseFile(text: string, path: string): { ok: true; value: CaseFile } | { ok: false; error: string } {
  let data: unknown;
  if (path.toLowerCase().endsWith('.json')) {
    const r = parsePyJson(text);
    if (!r.ok) return { ok: false, error: `${path}:${r.error.line}:${r.error.column}: invalid json: ${r.error.message}` };
    data = r.value;
  } else {
    const r = parseYaml(text, path);
    if (!r.ok) {
      const l = r.error.location;
      return { ok: false, error: `${l ? `${l.file}:${l.line}:${l.column}: ` : ''}${r.error.message}` };
    }
    data = r.value.value;
  }
  if (!isMapping(data)) return { ok: false, error: `${path}: a case file must be a mapping with \`cases\` (or a single case)` };
  const suite = String(data['suite'] ?? data['name'] ?? policyIdFromPath(path));
  const rawCases = Array.isArray(data['cases']) ? data['cases'] : [data];
  const cases: PolicyCase[] = [];
  for (let i = 0; i < rawCases.length; i++) {
    const c = rawCases[i];
    if (!isMapping(c)) return { ok: false, error: `${path}: case ${i + 1} must be a mapping` };
    const expected = isMapping(c['expected']) ? c['expected']['verdict'] : undefined;
    cases.push({
      name: typeof c['name'] === 'string' ? c['name'] : `case_${i + 1}`,
      ...(typeof c['policy'] === 'string' ? { policy: c['policy'] } : {}),
      event: isMapping(c['event']) ? c['event'] : {},
      expected: expected === undefined || expected === null ? 'None' : String(expected),
    });
  }
  return { ok: true, value: { suite, cases } };
}

/** Runs one case against a compiled policy (or the error that kept the policy from loading). */
export function runCase(c: PolicyCase, policy: CompiledPolicy | { error: string }): CaseResult {
  const policyName = c.policy ?? '';
  if ('error' in policy) {
    return { name: c.name, policy: policyName, expected: c.expected, actual: 'error', passed: false, reason: policy.error, explanation: null, error: policy.error };
  }
  const explanation = decide(policy, normalizeCaseEvent(c.event), { explain: true });
  const actual = displayVerdict(explanation.verdict);
  return { name: c.name, policy: policyName, expected: c.expected, actual, passed: actual === c.expected, reason: explanation.reason, explanation };
}
