import type { ApprovalRequestFields } from '../../shared/approvals.js';
import type { Decision } from '../../shared/events/verdict.js';

/** A pending or resolved approval request, as the runtime sees it. */
export interface ApprovalRef {
  id: string;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'consumed';
  resolvedBy?: string;
  reason?: string;
  editedArguments?: Record<string, unknown>;
}

/** What the runtime asks a person to approve, under the policy version that asked. */
export interface ApprovalRequestInput extends ApprovalRequestFields {
  policyHash: string;
  sessionId?: string;
}

/** What one audit entry records; the backend adds seq, time and the hash chain. */
export interface AuditRecord {
  kind: 'decision' | 'approval' | 'grant';
  actor: string;
  capability: string;
  tool: string;
  decision: Decision | string;
  authorized: boolean;
  reason: string;
  rule: string | null;
  policyHash: string;
  payload: Record<string, unknown>;
  sessionId?: string;
  approvalId?: string;
  approver?: string;
  approverReason?: string;
  environment?: string;
}

/**
 * The storage the runtime needs: grants, approvals and the audit log. Async at the boundary so a
 * PostgreSQL backend can replace SQLite without touching the runtime.
 */
export interface RuntimeBackend {
  /** Stores a policy text once and returns its hash (sha256 of the text). */
  recordPolicy(text: string, policyId: string, sourcePath: string | undefined): Promise<string>;
  /** Finds an active grant covering the request and uses it once (atomically). */
  useGrant(req: { actor: string; capability: string; environment: string; sessionId?: string }): Promise<{ id: string; grantedBy: string } | undefined>;
  /** Consumes an approved request for exactly these arguments, if one is waiting. */
  consumeApproved(actor: string, capability: string, argumentsHash: string): Promise<ApprovalRef | undefined>;
  /** Creates a pending request, or returns the identical pending one. */
  createOrAttachApproval(req: ApprovalRequestInput): Promise<ApprovalRef>;
  /** Waits (without busy-looping) until the request is resolved or the time is up. */
  waitForApproval(id: string, timeoutMs: number, signal?: AbortSignal): Promise<ApprovalRef>;
  /** Marks an approved request used by the caller that waited for it (it authorizes one call). */
  consumeApproval(id: string): Promise<ApprovalRef | undefined>;
  cancelApproval(id: string, reason: string): Promise<void>;
  /** Appends to the audit chain before the action runs; throws when it cannot (the caller denies). */
  appendAudit(record: AuditRecord): Promise<{ seq: number }>;
  close(): Promise<void>;
}
