import type { SourceLocation } from '../result.js';

/** What a rule does when it matches. `block` is the legacy spelling of `deny`. */
export type RuleAction = 'allow' | 'deny' | 'block' | 'require_approval' | 'warn';

/** The section a rule was written in: the three modern lists or the legacy `rules:` list. */
export type RuleSection = 'deny' | 'require_approval' | 'allow' | 'rules';

/** Every condition key the original accepts on a section rule. */
export const CONDITION_KEYS = [
  'contains',
  'amount_gt',
  'amount_gte',
  'amount_lt',
  'amount_lte',
  'path_prefix',
  'environment',
  'user_role',
  'tenant',
  'table',
  'tool_name',
  'risk_level',
  'caller_depth_gt',
  'caller_depth_gte',
  'caller_depth_lt',
  'caller_depth_lte',
  'match_keywords',
  'match_regex',
] as const;
export type ConditionKey = (typeof CONDITION_KEYS)[number];

/** Keys a legacy `rules:` item may carry; only the keyword and regex ones become conditions. */
export const LEGACY_RULE_KEYS = ['id', 'description', 'capability', 'match_keywords', 'match_regex', 'threshold', 'action'] as const;

/** Every top-level key a policy file may have (`mcp` is ours: tool-to-capability mapping). */
export const TOP_LEVEL_KEYS = [
  'deny',
  'require_approval',
  'allow',
  'risk_levels',
  'approval_timeout_seconds',
  'extends',
  'version',
  'policy_name',
  'description',
  'enforcement_mode',
  'rules',
  'mcp',
] as const;

/** One rule of a loaded policy, with where it was written. */
export interface PolicyRule {
  capability: string;
  action: RuleAction;
  /** Condition keys and their expected values, in file order. */
  conditions: Record<string, unknown>;
  origin: RuleOrigin;
}

export interface RuleOrigin {
  /** The policy file the rule was written in (a parent's file for inherited rules). */
  file: string;
  policyId: string;
  section: RuleSection;
  /** Index within its section in that file: `deny[2]`. */
  index: number;
  /** Legacy rules may carry an `id`. */
  id?: string;
  location?: SourceLocation;
}

/** A policy after loading, validation and `extends` merging, ready to compile. */
export interface Policy {
  id: string;
  file: string;
  /** Merged rules in evaluation order (child first, then parents, last parent first). */
  rules: PolicyRule[];
  riskLevels: Record<string, RuleAction>;
  meta: PolicyMeta;
  /** Explicit MCP tool mapping: server → tool → capability (wildcards allowed in names). */
  mcp: Record<string, Record<string, string>>;
  /** Files this policy was assembled from, the policy's own file first. */
  files: string[];
}

export interface PolicyMeta {
  version?: unknown;
  policyName?: string;
  description?: string;
  enforcementMode?: string;
  approvalTimeoutSeconds?: number;
}

/** The inputs of one decision, already normalized from an event. */
export interface DecisionInput {
  capability: string;
  context: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** The engine's raw verdicts; `default_deny` is kept apart from a deny rule. */
export type Verdict = 'allow' | 'warn' | 'deny' | 'require_approval' | 'default_deny';

/** Where a verdict came from. */
export type VerdictSection = 'deny' | 'require_approval' | 'allow' | 'warn' | 'risk_levels' | 'default';

/** The outcome of one condition of a rule, for explanations. */
export interface ConditionOutcome {
  key: string;
  expected: unknown;
  held: boolean;
  /** What the condition looked at (the amount found, the path, the context value). */
  actual?: unknown;
}

/** A rule the explanation looked at, whether or not it decided. */
export interface RuleTrace {
  ruleIndex: number;
  section: VerdictSection;
  capability: string;
  rule: string;
  conditions: ConditionOutcome[];
  matched: boolean;
  location?: SourceLocation;
}

/**
 * The decision with its reasons. The snake_case fields are the original's explanation object
 * (so `--json` output stays compatible); the camelCase ones are ours.
 */
export interface Explanation {
  policy_id: string;
  verdict: Verdict;
  section: VerdictSection;
  rule_index: number | null;
  matched_rule: { capability: string; action: RuleAction; conditions: Record<string, unknown> } | null;
  predicate_result: boolean;
  reason: string;
  /** True when a deny rule (or a risk level mapped to deny) forbids the action, false for default deny. */
  forbidden: boolean;
  /** `deny[2]`, `rules[0]`, `risk_levels.high`, or null for default deny. */
  rule: string | null;
  /** The matched rule's conditions and whether each held (empty when none matched). */
  conditions: ConditionOutcome[];
  /** Rules whose capability matched but whose conditions failed, in evaluation order (explain only). */
  considered: RuleTrace[];
  location?: SourceLocation;
}

/** The verdict as `policy test` shows it: default deny and block read as `deny`, warn stays. */
export type DisplayVerdict = 'allow' | 'warn' | 'deny' | 'require_approval';

/** Maps a raw verdict to what `policy test` prints. */
export function displayVerdict(v: Verdict): DisplayVerdict {
  return v === 'default_deny' ? 'deny' : v;
}
