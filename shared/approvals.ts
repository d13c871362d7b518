/** States of an approval request; only `pending` can change, and only once. */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'consumed';

/** What an approval request is bound to: one actor, one capability, one exact set of arguments. */
export interface ApprovalRequestFields {
  actor: string;
  capability: string;
  tool: string;
  arguments: Record<string, unknown>;
  argumentsHash: string;
  /** Why approval is needed (the rule that asked). */
  reason: string;
  rule: string | null;
  /** How long a person has to decide (0 = no limit). */
  expiresInSeconds: number;
  /** 0..1; the queue sorts by it, then by age. */
  risk?: number;
}

/** A request for a person to allow one exact action. */
export interface Approval extends Omit<ApprovalRequestFields, 'expiresInSeconds' | 'risk'> {
  id: string;
  policyHash: string | null;
  sessionId: string | null;
  /** 0..1; the queue sorts by it, then by age. */
  risk: number;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  /** The approver's or denier's reason (the model sees a denial's). */
  resolutionReason: string | null;
  editedArguments: Record<string, unknown> | null;
  grantId: string | null;
}

/** A standing permission that satisfies `require_approval` decisions (never deny or default deny). */
export interface Grant {
  id: string;
  actor: string;
  capability: string;
  environment: string;
  sessionId: string | null;
  usesLeft: number | null;
  createdAt: number;
  expiresAt: number | null;
  grantedBy: string;
  reason: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** Whether a grant can still be used at `now` (seconds). */
export function grantActive(g: Grant, now: number): boolean {
  return g.revokedAt === null && (g.expiresAt === null || now <= g.expiresAt) && (g.usesLeft === null || g.usesLeft > 0);
}
