import { createHash, randomUUID } from 'node:crypto';
import type { ApprovalRef, ApprovalRequestInput, AuditRecord, RuntimeBackend } from './backend.js';

interface MemoryApproval extends ApprovalRef {
  req: ApprovalRequestInput;
  expiresAt: number;
}

/**
 * An in-process backend: for replays (a sandbox that must not touch real grants or the real audit
 * log) and for library users who ask for no database. Nothing here survives the process.
 */
export class MemoryBackend implements RuntimeBackend {
  readonly audit: (AuditRecord & { seq: number })[] = [];
  private readonly approvals = new Map<string, MemoryApproval>();

  async recordPolicy(text: string): Promise<string> {
    return createHash('sha256').update(text).digest('hex');
  }
  async useGrant(): Promise<undefined> {
    return undefined;
  }
  async consumeApproved(actor: string, capability: string, argumentsHash: string): Promise<ApprovalRef | undefined> {
    for (const a of this.approvals.values()) {
      if (a.status === 'approved' && a.req.actor === actor && a.req.capability === capability && a.req.argumentsHash === argumentsHash) {
        a.status = 'consumed';
        return { ...a };
      }
    }
    return undefined;
  }
  async createOrAttachApproval(req: ApprovalRequestInput): Promise<ApprovalRef> {
    for (const a of this.approvals.values()) {
      if (a.status === 'pending' && a.req.actor === req.actor && a.req.capability === req.capability && a.req.argumentsHash === req.argumentsHash) return { id: a.id, status: a.status };
    }
    const id = randomUUID();
    this.approvals.set(id, { id, status: 'pending', req, expiresAt: Date.now() + req.expiresInSeconds * 1000 });
    return { id, status: 'pending' };
  }
  async waitForApproval(id: string): Promise<ApprovalRef> {
    const a = this.approvals.get(id);
    return a ? { id, status: a.status } : { id, status: 'expired' };
  }
  async consumeApproval(id: string): Promise<ApprovalRef | undefined> {
    const a = this.approvals.get(id);
    if (!a || a.status !== 'approved') return undefined;
    a.status = 'consumed';
    return { ...a };
  }
  async cancelApproval(id: string): Promise<void> {
    const a = this.approvals.get(id);
    if (a && a.status === 'pending') a.status = 'cancelled';
  }
  async appendAudit(record: AuditRecord): Promise<{ seq: number }> {
    const seq = this.audit.length + 1;
    this.audit.push({ ...record, seq });
    return { seq };
  }
  async close(): Promise<void> {}
}
