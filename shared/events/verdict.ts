import type { Explanation } from '../policy/types.js';

/** What the runtime tells a caller: run it, refuse it, or wait for a person. */
export type Decision = 'allow' | 'deny' | 'require_approval';

/** The runtime's answer for one event, as the original's `ExecutionVerdict` plus the explanation. */
export interface ExecutionVerdict {
  authorized: boolean;
  decision: Decision;
  reason: string;
  capability: string;
  explanation: Explanation;
  /** The pending approval (or the grant) that this verdict refers to. */
  approvalId?: string;
  /** The audit entry that recorded this verdict. */
  auditSeq?: number;
  /** The policy version that decided (sha256 of its text). */
  policyHash?: string;
  /** The original's `confidence`: numeric risk, or a level's weight. */
  riskScore: number;
  latencyMs: number;
  /** Arguments as an approver edited them; run these instead of the requested ones. */
  editedArguments?: Record<string, unknown>;
  /** Who approved or denied, and why, when a person decided. */
  approver?: string;
  approverReason?: string;
}

/**
 * Maps the engine's verdict to the runtime's decision, as the original does: allow and warn
 * authorize; deny denies; require_approval (or, when the event's metadata asks for approval, any
 * verdict that is neither allow nor deny) goes to the approval flow; default deny denies.
 */
export function decisionOf(explanation: Explanation, metadataRequiresApproval: boolean): { decision: Decision; reason: string } {
  switch (explanation.verdict) {
    case 'allow':
      return { decision: 'allow', reason: 'policy_allow' };
    case 'warn':
      return { decision: 'allow', reason: 'policy_warn' };
    case 'deny':
      return { decision: 'deny', reason: 'policy_deny' };
    case 'require_approval':
      return { decision: 'require_approval', reason: 'approval_required' };
    case 'default_deny':
      return metadataRequiresApproval ? { decision: 'require_approval', reason: 'approval_required' } : { decision: 'deny', reason: 'policy_default_deny' };
  }
}

/** The explanation of a deny no rule decided (a failure while deciding, a quarantined tool): default section, no rule. */
export function failureExplanation(policyId: string, reason: string): Explanation {
  return {
    policy_id: policyId,
    verdict: 'deny',
    section: 'default',
    rule_index: null,
    matched_rule: null,
    predicate_result: false,
    reason,
    forbidden: false,
    rule: null,
    conditions: [],
    considered: [],
  };
}
