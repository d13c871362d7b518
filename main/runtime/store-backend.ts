import type { Store } from '../store/store.js';
import type { ApprovalRef, ApprovalRequestInput, AuditRecord, RuntimeBackend } from './backend.js';
import type { Approval } from '../../shared/approvals.js';

const ref = (a: Approval): ApprovalRef => ({
  id: a.id,
  status: a.status,
  ...(a.resolvedBy ? { resolvedBy: a.resolvedBy } : {}),
  ...(a.resolutionReason ? { reason: a.resolutionReason } : {}),
  ...(a.editedArguments ? { editedArguments: a.editedArguments } : {}),
});

/** The runtime's backend over the shared store: durable grants, approvals and audit. */
export class StoreBackend implements RuntimeBackend {
  constructor(
    readonly store: Store,
    private readonly ownsStore = true,
  ) {}
  recordPolicy(text: string, policyId: string, sourcePath: string | undefined): Promise<string> {
    return this.store.policies.record(text, policyId, sourcePath ?? null);
  }
  async useGrant(req: { actor: string; capability: string; environment: string; sessionId?: string }) {
    const g = await this.store.grants.use(req);
    return g ? { id: g.id, grantedBy: g.grantedBy } : undefined;
  }
  async consumeApproved(actor: string, capability: string, argumentsHash: string) {
    const a = await this.store.approvals.consumeApproved(actor, capability, argumentsHash);
    return a ? ref(a) : undefined;
  }
  async createOrAttachApproval(req: ApprovalRequestInput) {
    return ref(await this.store.approvals.createOrAttach({ ...req, sessionId: req.sessionId ?? null }));
  }
  async waitForApproval(id: string, timeoutMs: number, signal?: AbortSignal) {
    const a = await this.store.approvals.waitForResolution(id, { timeoutMs, ...(signal ? { signal } : {}) });
    return a ? ref(a) : { id, status: 'expired' as const };
  }
  async consumeApproval(id: string) {
    const a = await this.store.approvals.consume(id);
    return a ? ref(a) : undefined;
  }
  async cancelApproval(id: string, reason: string) {
    await this.store.approvals.cancel(id, { by: 'caller', reason });
  }
  async appendAudit(r: AuditRecord) {
    const e = await this.store.audit.append(r);
    return { seq: e.seq };
  }
  async close() {
    if (this.ownsStore) await this.store.close();
  }
}
