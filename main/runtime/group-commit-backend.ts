import type { AuditEntryInput } from '../store/audit-log.js';
import type { ApprovalRequestInput, AuditRecord, RuntimeBackend } from './backend.js';
import type { StoreBackend } from './store-backend.js';

interface Pending {
  input: AuditEntryInput;
  resolve: (r: { seq: number }) => void;
  reject: (e: unknown) => void;
}


/**
 * The store backend with group commit: audit entries appended while the same batch of
 * microtasks runs (concurrent tool calls read from one chunk of input) go into one transaction.
 * Each caller still waits for its own entry to be committed before its action may run, and gets
 * its own seq; if a batch fails, its entries are retried one by one so only a bad one fails.
 */
export class GroupCommitBackend implements RuntimeBackend {
  private queue: Pending[] = [];

  constructor(readonly inner: StoreBackend) {}

  recordPolicy(text: string, policyId: string, sourcePath: string | undefined) {
    return this.inner.recordPolicy(text, policyId, sourcePath);
  }
  useGrant(req: { actor: string; capability: string; environment: string; sessionId?: string }) {
    return this.inner.useGrant(req);
  }
  consumeApproved(actor: string, capability: string, argumentsHash: string) {
    return this.inner.consumeApproved(actor, capability, argumentsHash);
  }
  createOrAttachApproval(req: ApprovalRequestInput) {
    return this.inner.createOrAttachApproval(req);
  }
  waitForApproval(id: string, timeoutMs: number, signal?: AbortSignal) {
    return this.inner.waitForApproval(id, timeoutMs, signal);
  }
  consumeApproval(id: string) {
    return this.inner.consumeApproval(id);
  }
  cancelApproval(id: string, reason: string) {
    return this.inner.cancelApproval(id, reason);
  }

  appendAudit(record: AuditRecord): Promise<{ seq: number }> {
    return new Promise((resolve, reject) => {
      // A record is already an audit input (the log fills absent context fields with nulls).
      this.queue.push({ input: record, resolve, reject });
      if (this.queue.length === 1) queueMicrotask(this.flush);
    });
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    this.queue = [];
    const audit = this.inner.store.audit;
    if (batch.length === 1) {
      const only = batch[0] as Pending;
      audit.append(only.input).then((e) => only.resolve({ seq: e.seq }), only.reject);
      return;
    }
    audit.appendMany(batch.map((b) => b.input)).then(
      (entries) => batch.forEach((b, i) => b.resolve({ seq: (entries[i] as { seq: number }).seq })),
      () => {
        for (const b of batch) audit.append(b.input).then((e) => b.resolve({ seq: e.seq }), b.reject);
      },
    );
  };

  close(): Promise<void> {
    return this.inner.close();
  }
}
