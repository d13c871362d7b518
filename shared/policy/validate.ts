import type { SourceLocation } from '../result.js';
import { isValidCapability } from './capability.js';
import { closest, type PolicyDiagnostic } from './diagnostics.js';
import type { ParsedYaml } from './parse.js';
import { compileConditionRegexes } from './regex-conditions.js';
import {
  CONDITION_KEYS,
  LEGACY_RULE_KEYS,
  TOP_LEVEL_KEYS,
  type PolicyMeta,
  type PolicyRule,
  type RuleAction,
  type RuleSection,
} from './types.js';

/** One policy file, validated, before its `extends` parents are merged in. */
export interface PolicyFileModel {
  id: string;
  file: string;
  extends: { path: string; location: SourceLocation }[];
  /** Own rules in evaluation order: legacy `rules`, then `deny`, `require_approval`, `allow`. */
  rules: PolicyRule[];
  riskLevels: Record<string, RuleAction>;
  meta: PolicyMeta;
  mcp: Record<string, Record<string, string>>;
}

const LEGACY_ACTIONS = new Set(['allow', 'deny', 'block', 'require_approval', 'warn']);
const NUMERIC_CONDITIONS = new Set(['amount_gt', 'amount_gte', 'amount_lt', 'amount_lte', 'caller_depth_gt', 'caller_depth_gte', 'caller_depth_lt', 'caller_depth_lte']);
const CONDITION_SET = new Set<string>(CONDITION_KEYS);
const LEGACY_KEY_SET = new Set<string>(LEGACY_RULE_KEYS);
const TOP_SET = new Set<string>(TOP_LEVEL_KEYS);

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Number);

/** The policy id is the file's stem, as the original names it. */
export function policyIdFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Python truthiness, for the original's "requires capability" and "requires action" checks. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Number) return v.valueOf() !== 0;
  if (isMapping(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Validates one parsed policy file. Returns every error found (not just the first), each with
 * its location; `legacyMessage` carries the original's wording for `check-policy`.
 */
export function validatePolicyFile(parsed: ParsedYaml): { model?: PolicyFileModel; diagnostics: PolicyDiagnostic[] } {
  const { file, locate } = parsed;
  const id = policyIdFromPath(file);
  const diagnostics: PolicyDiagnostic[] = [];
  const error = (path: (string | number)[], code: string, message: string, legacy: string, opts: { hint?: string; key?: boolean } = {}) => {
    diagnostics.push({
      severity: 'error',
      code,
      message,
      location: locate(path, { key: opts.key ?? false }),
      legacyMessage: `Policy '${id}' ${legacy}`,
      ...(opts.hint ? { hint: opts.hint } : {}),
    });
  };

  // An empty file is a valid policy with no rules (everything default-denied).
  const root = parsed.value === null || parsed.value === undefined ? {} : parsed.value;
  if (!isMapping(root)) {
    error([], 'not-a-mapping', 'a policy must be a yaml mapping of sections', 'must be a YAML mapping.', {
      hint: 'start the file with `allow:`, `require_approval:` or `deny:` lists',
    });
    return { diagnostics };
  }

  const unknown = Object.keys(root).filter((k) => !TOP_SET.has(k)).sort();
  for (const k of unknown) {
    const near = closest(k, TOP_LEVEL_KEYS);
    error([k], 'unknown-key', `unknown top-level key \`${k}\``, `contains unknown top-level keys: ${unknown.join(', ')}`, {
      key: true,
      ...(near ? { hint: `did you mean \`${near}\`?` } : { hint: `allowed keys: ${TOP_LEVEL_KEYS.join(', ')}` }),
    });
  }

  const rules: PolicyRule[] = [];
  const origin = (section: RuleSection, index: number, extra: { id?: string } = {}) => ({
    file,
    policyId: id,
    section,
    index,
    location: locate([section, index]),
    ...extra,
  });

  // Legacy `rules:` list first: the original puts it before the sections.
  if ('rules' in root) {
    const list = root['rules'];
    if (!Array.isArray(list)) {
      error(['rules'], 'not-a-list', 'section `rules` must be a list', "section 'rules' must be a list.");
    } else {
      list.forEach((item, i) => {
        const name = `rules[${i}]`;
        if (!isMapping(item)) {
          error(['rules', i], 'rule-not-mapping', `rule \`${name}\` must be a mapping`, `rule '${name}' must be a mapping.`);
          return;
        }
        if (!truthy(item['action'])) {
          error(['rules', i], 'missing-action', `rule \`${name}\` has no \`action\``, `rule '${name}' requires action.`, {
            hint: 'set `action:` to one of allow, deny, block, require_approval, warn',
          });
          return;
        }
        const action = String(item['action']);
        if (!LEGACY_ACTIONS.has(action)) {
          error(['rules', i, 'action'], 'bad-action', `rule \`${name}\` has unsupported action \`${action}\``, `rule '${name}' has unsupported action '${action}'.`, {
            hint: 'use one of allow, deny, block, require_approval, warn',
          });
          return;
        }
        const bad = Object.keys(item).filter((k) => !LEGACY_KEY_SET.has(k)).sort();
        if (bad.length > 0) {
          for (const k of bad) {
            error(['rules', i, k], 'unknown-key', `rule \`${name}\` has unknown key \`${k}\``, `rule '${name}' contains unknown key(s): ${bad.join(', ')}`, {
              key: true,
              hint: `legacy rules take ${LEGACY_RULE_KEYS.join(', ')}; move conditions such as \`${k}\` to a rule under \`allow\`, \`require_approval\` or \`deny\``,
            });
          }
          return;
        }
        const capability = item['capability'] === undefined || item['capability'] === null ? '*' : item['capability'];
        if (typeof capability !== 'string') {
          error(['rules', i, 'capability'], 'bad-capability', `rule \`${name}\` capability must be a string`, `rule '${name}' requires capability.`);
          return;
        }
        const conditions: Record<string, unknown> = {};
        for (const k of ['match_keywords', 'match_regex']) if (k in item) conditions[k] = item[k];
        if (!checkConditionValues(conditions, ['rules', i], name)) return;
        rules.push({
          capability,
          action: action as RuleAction,
          conditions,
          origin: origin('rules', i, typeof item['id'] === 'string' ? { id: item['id'] } : {}),
        });
      });
    }
  }

  for (const section of ['deny', 'require_approval', 'allow'] as const) {
    if (!(section in root)) continue;
    const list = root[section];
    if (list === null) {
      // The original passes validation here and then crashes; we say what is wrong.
      error([section], 'null-section', `section \`${section}\` is empty (null)`, `section '${section}' must be a list.`, {
        hint: `write \`${section}: []\` or remove the key`,
      });
      continue;
    }
    if (!Array.isArray(list)) {
      error([section], 'not-a-list', `section \`${section}\` must be a list`, `section '${section}' must be a list.`);
      continue;
    }
    list.forEach((item, i) => {
      const name = `${section}[${i}]`;
      if (typeof item === 'string') {
        if (item === '') {
          error([section, i], 'missing-capability', `rule \`${name}\` has an empty capability`, `rule '${name}' requires capability.`);
          return;
        }
        rules.push({ capability: item, action: section, conditions: {}, origin: origin(section, i) });
        return;
      }
      if (!isMapping(item)) {
        error([section, i], 'rule-not-mapping', `rule \`${name}\` must be a mapping or a string`, `rule '${name}' must be a mapping or a string.`, {
          hint: 'write a capability string (`- shell.exec`) or a mapping with `capability:` and conditions',
        });
        return;
      }
      if (!truthy(item['capability'])) {
        error([section, i], 'missing-capability', `rule \`${name}\` has no \`capability\``, `rule '${name}' requires capability.`, {
          hint: 'add `capability: resource.action.scope` (wildcards: `*`)',
        });
        return;
      }
      const bad = Object.keys(item).filter((k) => k !== 'capability' && !CONDITION_SET.has(k)).sort();
      if (bad.length > 0) {
        for (const k of bad) {
          const near = closest(k, CONDITION_KEYS);
          error([section, i, k], 'unknown-condition', `rule \`${name}\` has unknown condition \`${k}\``, `rule '${name}' contains unknown condition(s): ${bad.join(', ')}`, {
            key: true,
            hint: near && near !== k ? `did you mean \`${near}\`?` : `conditions are: ${CONDITION_KEYS.join(', ')}`,
          });
        }
        return;
      }
      const capability = item['capability'];
      if (typeof capability !== 'string') {
        error([section, i, 'capability'], 'bad-capability', `rule \`${name}\` capability must be a string, got \`${JSON.stringify(capability)}\``, `rule '${name}' requires capability.`);
        return;
      }
      const conditions: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(item)) if (k !== 'capability') conditions[k] = v;
      if (!checkConditionValues(conditions, [section, i], name)) return;
      rules.push({ capability, action: section, conditions, origin: origin(section, i) });
    });
  }

  const riskLevels: Record<string, RuleAction> = {};
  if ('risk_levels' in root && root['risk_levels'] !== undefined) {
    const levels = root['risk_levels'];
    if (!isMapping(levels)) {
      error(['risk_levels'], 'not-a-mapping', '`risk_levels` must be a mapping of level to `{action: ...}`', 'risk_levels must be a mapping.');
    } else {
      for (const [level, spec] of Object.entries(levels)) {
        if (!isMapping(spec) || !('action' in spec)) {
          error(['risk_levels', level], 'missing-action', `risk level \`${level}\` must define an action`, `risk level '${level}' must define an action.`, {
            hint: `write \`${level}: {action: require_approval}\``,
          });
          continue;
        }
        const action = String(spec['action']);
        if (!LEGACY_ACTIONS.has(action)) {
          error(['risk_levels', level, 'action'], 'bad-action', `risk level \`${level}\` has unsupported action \`${action}\``, `risk level '${level}' has unsupported action '${action}'.`, {
            hint: 'use one of allow, deny, block, require_approval, warn',
          });
          continue;
        }
        riskLevels[level] = action as RuleAction;
      }
    }
  }

  const ext: PolicyFileModel['extends'] = [];
  if ('extends' in root && root['extends'] !== null && root['extends'] !== undefined) {
    const raw = root['extends'];
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((p, i) => {
      const path = Array.isArray(raw) ? ['extends', i] : ['extends'];
      if (typeof p !== 'string' || p === '') error(path, 'bad-extends', '`extends` must be a path or a list of paths', `extends must be a path or a list of paths.`);
      else ext.push({ path: p, location: locate(path) });
    });
  }

  const meta: PolicyMeta = {};
  if ('version' in root) meta.version = root['version'];
  if (typeof root['policy_name'] === 'string') meta.policyName = root['policy_name'];
  if (typeof root['description'] === 'string') meta.description = root['description'];
  if (root['enforcement_mode'] !== undefined && root['enforcement_mode'] !== null) meta.enforcementMode = String(root['enforcement_mode']);
  if ('approval_timeout_seconds' in root && root['approval_timeout_seconds'] !== null) {
    const t = root['approval_timeout_seconds'];
    const n = t instanceof Number ? t.valueOf() : t;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
      // The original accepts any value here (and ignores it); we use it, so a bad one is a warning
      // and the default timeout applies.
      diagnostics.push({
        severity: 'warning',
        code: 'bad-timeout',
        message: `\`approval_timeout_seconds\` must be a positive number, got \`${JSON.stringify(t)}\`; the default (3600 s) applies`,
        location: locate(['approval_timeout_seconds']),
      });
    } else meta.approvalTimeoutSeconds = n;
  }

  const mcp: Record<string, Record<string, string>> = {};
  if ('mcp' in root && root['mcp'] !== null) {
    const m = root['mcp'];
    if (!isMapping(m)) error(['mcp'], 'bad-mcp', '`mcp` must map server names to `{tool: capability}` mappings', 'mcp must be a mapping.');
    else {
      for (const [server, tools] of Object.entries(m)) {
        if (!isMapping(tools)) {
          error(['mcp', server], 'bad-mcp', `\`mcp.${server}\` must map tool names to capabilities`, 'mcp must be a mapping.');
          continue;
        }
        const out: Record<string, string> = {};
        for (const [tool, cap] of Object.entries(tools)) {
          if (typeof cap !== 'string' || !isValidCapability(cap)) {
            error(['mcp', server, tool], 'bad-capability', `\`mcp.${server}.${tool}\` must be a capability such as \`files.read\`, got \`${String(cap)}\``, 'mcp must map tools to capabilities.');
            continue;
          }
          out[tool] = cap;
        }
        mcp[server] = out;
      }
    }
  }

  // Checks values the original would only trip over at evaluation time (a TypeError there, no
  // verdict): we refuse them at load, where the author can see them.
  function checkConditionValues(conditions: Record<string, unknown>, path: (string | number)[], name: string): boolean {
    let good = true;
    for (const [k, v] of Object.entries(conditions)) {
      if (NUMERIC_CONDITIONS.has(k)) {
        const n = v instanceof Number ? v.valueOf() : v;
        if (typeof n !== 'number' && typeof n !== 'bigint') {
          error([...path, k], 'bad-condition-value', `rule \`${name}\` condition \`${k}\` must be a number, got \`${JSON.stringify(v)}\``, `rule '${name}' condition '${k}' must be a number.`, {
            hint: typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? `remove the quotes: \`${k}: ${v.trim()}\`` : 'write a plain number',
          });
          good = false;
        }
      } else if (k === 'match_regex' || k === 'match_keywords') {
        const list = Array.isArray(v) ? v : [v];
        if (k === 'match_regex') {
          const bad = compileConditionRegexes(list);
          if (!bad.ok) {
            error([...path, k], 'bad-regex', `rule \`${name}\` has an invalid \`match_regex\` pattern \`${bad.error.pattern}\`: ${bad.error.message}`, `rule '${name}' has an invalid regex.`, {
              hint: 'patterns use Python `re` syntax; rewrite the part named above',
            });
            good = false;
          }
        }
      }
    }
    return good;
  }

  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { model: { id, file, extends: ext, rules, riskLevels, meta, mcp }, diagnostics };
}
