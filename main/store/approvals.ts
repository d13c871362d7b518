import { randomUUID } from 'node:crypto';
import type { Approval, ApprovalRequestFields, ApprovalStatus } from '../../shared/approvals.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { SqliteDatabase } from './database.js';
import type { GrantStore } from './grants.js';

/** A request to queue (or to attach to, when an identical one is pending). */
export interface NewApproval extends ApprovalRequestFields {
  policyHash: string | null;
  sessionId?: string | null;
}

export type ApprovalErrorCode = 'APPROVAL_NOT_FOUND' | 'APPROVAL_ALREADY_RESOLVED' | 'APPROVAL_EXPIRED' | 'BAD_REQUEST';

type Row = Record<string, unknown>;

const now = () => Date.now() / 1000;

function toApproval(r: Row): Approval {
  return {
    id: r['id'] as string,
    actor: r['actor'] as string,
    capability: r['capability'] as string,
    tool: r['tool'] as string,
    arguments: JSON.parse(r['arguments'] as string) as Record<string, unknown>,
    argumentsHash: r['arguments_hash'] as string,
    reason: r['reason'] as string,
    rule: (r['rule'] as string | null) ?? null,
    policyHash: (r['policy_hash'] as string | null) ?? null,
    sessionId: (r['session_id'] as string | null) ?? null,
    risk: r['risk'] as number,
    status: r['status'] as ApprovalStatus,
    createdAt: r['created_at'] as number,
    expiresAt: (r['expires_at'] as number | null) ?? null,
    resolvedAt: (r['resolved_at'] as number | null) ?? null,
    resolvedBy: (r['resolved_by'] as string | null) ?? null,
    resolutionReason: (r['resolution_reason'] as string | null) ?? null,
    editedArguments: typeof r['edited_arguments'] === 'string' ? (JSON.parse(r['edited_arguments']) as Record<string, unknown>) : null,
    grantId: (r['grant_id'] as string | null) ?? null,
  };
}

/**
 * The durable approval queue. Every state change is one `UPDATE ... WHERE status = 'pending'` in
 * an IMMEDIATE transaction, so a request is resolved exactly once even when processes race, and
 * expiry is applied on every read and resolve (not only when someone lists the queue).
 */
export class ApprovalStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly grants?: GrantStore,
  ) {}

  private change(id: string): void {
    this.db.prepare("INSERT INTO changes (kind, ref, at) VALUES ('approval', ?, ?)").run(id, now());
  }

  /** Marks pending requests past their deadline as expired; returns how many. */
  expireDue(at = now()): number {
    const ids = this.db.prepare("SELECT id FROM approvals WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at < ?").pluck().all(at) as string[];
    if (ids.length === 0) return 0;
    return this.db
      .transaction(() => {
        let n = 0;
        for (const id of ids) {
          if (this.db.prepare("UPDATE approvals SET status = 'expired', resolved_at = ? WHERE id = ? AND status = 'pending'").run(at, id).changes === 1) {
            this.change(id);
            n++;
          }
        }
        return n;
      })
      .immediate();
  }

  /** Queues a request, or returns the identical pending one (same actor, capability and arguments). */
  createOrAttach(req: NewApproval): Approval {
    return this.db
      .transaction(() => {
        const t = now();
        const existing = this.db
          .prepare("SELECT * FROM approvals WHERE actor = ? AND capability = ? AND arguments_hash = ? AND status = 'pending' AND (expires_at IS NULL OR expires_at >= ?) ORDER BY created_at LIMIT 1")
          .get(req.actor, req.capability, req.argumentsHash, t) as Row | undefined;
        if (existing) return toApproval(existing);
        const id = randomUUID();
        this.db
          .prepare(
            'INSERT INTO approvals (id, actor, capability, tool, arguments, arguments_hash, reason, rule, policy_hash, session_id, risk, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(id, req.actor, req.capability, req.tool, JSON.stringify(req.arguments), req.argumentsHash, req.reason, req.rule, req.policyHash, req.sessionId ?? null, req.risk ?? 0.5, 'pending', t, req.expiresInSeconds > 0 ? t + req.expiresInSeconds : null);
        this.change(id);
        return toApproval(this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Row);
      })
      .immediate();
  }

  /** One request (expired first if its time is up). */
  get(id: string): Approval | undefined {
    this.expireDue();
    const r = this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Row | undefined;
    return r ? toApproval(r) : undefined;
  }

  /** Requests by status (default pending), oldest first. */
  list(opts: { status?: ApprovalStatus | 'all'; limit?: number } = {}): Approval[] {
    this.expireDue();
    const status = opts.status ?? 'pending';
    const limit = Math.max(1, Math.min(opts.limit ?? 10_000, 100_000));
    const rows = (status === 'all'
      ? this.db.prepare(`SELECT * FROM approvals ORDER BY created_at DESC LIMIT ${limit}`).all()
      : this.db.prepare(`SELECT * FROM approvals WHERE status = ? ORDER BY created_at LIMIT ${limit}`).all(status)) as Row[];
    return rows.map(toApproval);
  }

  private resolve(id: string, status: 'approved' | 'denied' | 'cancelled', by: string | null, reason: string | null, extra: { editedArguments?: Record<string, unknown>; grantForSeconds?: number } = {}): Result<Approval, { code: ApprovalErrorCode; message: string }> {
    return this.db
      .transaction((): Result<Approval, { code: ApprovalErrorCode; message: string }> => {
        const t = now();
        const r = this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Row | undefined;
        if (!r) return err({ code: 'APPROVAL_NOT_FOUND', message: `Request ${id} not found.` });
        const current = toApproval(r);
        if (current.status === 'pending' && current.expiresAt !== null && current.expiresAt < t) {
          this.db.prepare("UPDATE approvals SET status = 'expired', resolved_at = ? WHERE id = ? AND status = 'pending'").run(t, id);
          this.change(id);
          return err({ code: 'APPROVAL_EXPIRED', message: `Request ${id} is already expired.` });
        }
        if (current.status !== 'pending') return err({ code: 'APPROVAL_ALREADY_RESOLVED', message: `Request ${id} is already ${current.status}.` });
        let grantId: string | null = null;
        if (status === 'approved' && extra.grantForSeconds !== undefined) {
          if (!this.grants) return err({ code: 'BAD_REQUEST', message: 'this store cannot create grants' });
          grantId = this.grants.createInTransaction({ actor: current.actor, capability: current.capability, environment: '*', durationSeconds: extra.grantForSeconds, grantedBy: by ?? 'unknown', reason: `approved request ${id}` }).id;
        }
        const changed = this.db
          .prepare("UPDATE approvals SET status = ?, resolved_at = ?, resolved_by = ?, resolution_reason = ?, edited_arguments = ?, grant_id = ? WHERE id = ? AND status = 'pending'")
          .run(status, t, by, reason, extra.editedArguments ? JSON.stringify(extra.editedArguments) : null, grantId, id).changes;
        if (changed !== 1) return err({ code: 'APPROVAL_ALREADY_RESOLVED', message: `Request ${id} is already resolved.` });
        this.change(id);
        return ok(toApproval(this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Row));
      })
      .immediate();
  }

  /** Approves once; optionally with a time-limited grant for the same actor and capability, or edited arguments. */
  approve(id: string, opts: { by: string; reason?: string; grantForSeconds?: number; editedArguments?: Record<string, unknown> }) {
    if (opts.grantForSeconds !== undefined && !(opts.grantForSeconds > 0)) return err({ code: 'BAD_REQUEST' as const, message: 'a grant needs a positive duration' });
    return this.resolve(id, 'approved', opts.by, opts.reason ?? null, {
      ...(opts.editedArguments ? { editedArguments: opts.editedArguments } : {}),
      ...(opts.grantForSeconds !== undefined ? { grantForSeconds: opts.grantForSeconds } : {}),
    });
  }

  /** Denies once, with the reason the model will see. */
  deny(id: string, opts: { by: string; reason?: string }) {
    return this.resolve(id, 'denied', opts.by, opts.reason ?? null);
  }

  /** Cancels a pending request (its caller gave up). */
  cancel(id: string, opts: { by?: string; reason?: string } = {}) {
    return this.resolve(id, 'cancelled', opts.by ?? null, opts.reason ?? null);
  }

  /** Uses an approved request exactly once: approved → consumed. */
  consume(id: string): Approval | undefined {
    return this.db
      .transaction(() => {
        const changed = this.db.prepare("UPDATE approvals SET status = 'consumed' WHERE id = ? AND status = 'approved'").run(id).changes;
        if (changed !== 1) return undefined;
        this.change(id);
        return toApproval(this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Row);
      })
      .immediate();
  }

  /** Consumes an approved request for exactly these arguments, if one waits (the identical retry). */
  consumeApproved(actor: string, capability: string, argumentsHash: string): Approval | undefined {
    const id = this.db.prepare("SELECT id FROM approvals WHERE actor = ? AND capability = ? AND arguments_hash = ? AND status = 'approved' ORDER BY resolved_at LIMIT 1").pluck().get(actor, capability, argumentsHash) as string | undefined;
    return id ? this.consume(id) : undefined;
  }
}
