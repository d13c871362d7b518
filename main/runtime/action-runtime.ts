import { createHash } from 'node:crypto';
import { ActionEvent } from '../../shared/events/action-event.js';
import { decisionOf, failureExplanation, type Decision, type ExecutionVerdict } from '../../shared/events/verdict.js';
import { decide } from '../../shared/policy/decide.js';
import type { Explanation } from '../../shared/policy/types.js';
import { loadPolicyForRuntime, type LoadedPolicy } from '../policy/load-policy.js';
import type { ApprovalRef, RuntimeBackend } from './backend.js';
import { MemoryBackend } from './memory-backend.js';
import { FailedBackend } from './failed-backend.js';
import { StoreBackend } from './store-backend.js';
import { openStore, type OpenStoreOptions } from '../store/store.js';
import { defaultDbPath } from '../paths.js';

export type EnforcementMode = 'enforce' | 'observe';

export interface RuntimeOptions {
  /**
   * The shared SQLite file for grants, approvals and audit (default `$CAPFENCE_HOME/capfence.db`);
   * `:memory:` keeps everything in this process.
   */
  db?: string;
  /** A storage backend of your own (overrides `db`). */
  backend?: RuntimeBackend;
  /** SQLite options for the store (busy timeout, `synchronous`, read-only). */
  store?: OpenStoreOptions;
  env?: Record<string, string | undefined>;
  /** `observe` records the true decision but authorizes, as the original's observe mode. */
  mode?: EnforcementMode;
}

export interface ExecuteOptions {
  /** Wait up to this many milliseconds for a person to decide a require_approval verdict. */
  waitForApproval?: number;
  signal?: AbortSignal;
}

/** A decision request that already names its capability (the MCP gateway and adapters use this). */
export interface CallRequest {
  actor: string;
  capability: string;
  tool: string;
  payload: Record<string, unknown>;
  environment?: string;
  sessionId?: string;
  /** Extra context for conditions (`user_role`, `tenant`, `caller_depth`, ...). */
  context?: Record<string, unknown>;
  riskScore?: number;
  requireApproval?: boolean;
}

const DEFAULT_APPROVAL_TIMEOUT_S = 3600;

/** Stable JSON with sorted keys: what an approval is bound to. */
function argumentsHash(args: Record<string, unknown>): string {
  const stable = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(stable);
    if (v && typeof v === 'object' && !(v instanceof Number)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])]));
    }
    return typeof v === 'bigint' ? v.toString() : v;
  };
  return createHash('sha256').update(JSON.stringify(stable(args))).digest('hex');
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The runtime service: decide → (grant | consumed approval | pending approval) → audit → verdict.
 * Fail closed: any error while deciding, storing or auditing denies, with the cause in `reason`.
 */
export class ActionRuntime {
  private policyHash: Promise<string>;
  private constructor(
    private loaded: LoadedPolicy,
    readonly backend: RuntimeBackend,
    readonly mode: EnforcementMode,
  ) {
    this.policyHash = backend.recordPolicy(loaded.text, loaded.policy.id, loaded.path);
    // Surface a storage failure at decision time (as a deny), not as an unhandled rejection.
    this.policyHash.catch(() => undefined);
  }

  /**
   * Loads a policy file (throws `PolicyLoadError` with diagnostics) and starts a runtime on it,
   * backed by the shared store. A store that cannot open (corrupt, read-only, locked) does not
   * throw: every decision then denies, naming the cause.
   */
  static fromPolicy(path: string, opts: RuntimeOptions = {}): ActionRuntime {
    return ActionRuntime.fromLoaded(loadPolicyForRuntime(path), opts);
  }

  /** Starts a runtime on an already loaded policy. */
  static fromLoaded(loaded: LoadedPolicy, opts: RuntimeOptions = {}): ActionRuntime {
    return new ActionRuntime(loaded, opts.backend ?? backendFor(opts), opts.mode ?? 'enforce');
  }

  /** The policy in force. */
  get policy(): LoadedPolicy {
    return this.loaded;
  }

  /** Swaps the policy (a saved new version); decisions already running finish on the old one. */
  reload(loaded: LoadedPolicy): void {
    this.loaded = loaded;
    this.policyHash = this.backend.recordPolicy(loaded.text, loaded.policy.id, loaded.path);
    this.policyHash.catch(() => undefined);
  }

  /** Judges an event exactly as the original's `ActionRuntime.execute`, then records it. */
  async execute(event: ActionEvent, opts: ExecuteOptions = {}): Promise<ExecutionVerdict> {
    const input = event.toDecisionInput();
    return this.run(
      {
        actor: event.actor,
        capability: input.capability,
        tool: event.action,
        payload: input.payload,
        environment: event.environment,
        context: input.context,
        riskScore: event.riskScore,
        requireApproval: event.metadata['require_approval'] === true,
        ...(typeof event.metadata['session_id'] === 'string' ? { sessionId: event.metadata['session_id'] } : {}),
      },
      opts,
    );
  }

  /** Judges a call whose capability is already known (gateways, adapters). */
  async decideCall(req: CallRequest, opts: ExecuteOptions = {}): Promise<ExecutionVerdict> {
    return this.run(req, opts);
  }

  private async run(req: CallRequest, opts: ExecuteOptions): Promise<ExecutionVerdict> {
    const started = performance.now();
    const environment = req.environment ?? 'development';
    const context = req.context ?? { actor: req.actor, environment, tool_name: req.tool };
    let explanation: Explanation;
    let decision: Decision;
    let reason: string;
    try {
      explanation = decide(this.loaded.compiled, { capability: req.capability, context, payload: req.payload });
      ({ decision, reason } = decisionOf(explanation, req.requireApproval === true));
    } catch (e) {
      explanation = failureExplanation(this.loaded.policy.id, `policy_error:${errorText(e)}`);
      decision = 'deny';
      reason = explanation.reason;
    }

    const verdict: ExecutionVerdict = {
      authorized: decision === 'allow',
      decision,
      reason,
      capability: req.capability,
      explanation,
      riskScore: req.riskScore ?? 0.5,
      latencyMs: 0,
    };
    let policyHash = '';
    try {
      policyHash = await this.policyHash;
      verdict.policyHash = policyHash;
      if (decision === 'require_approval') await this.approvalFlow(req, environment, verdict, policyHash);
    } catch (e) {
      return this.failClosed(verdict, `store_error:${errorText(e)}`, req, policyHash, started);
    }

    if (this.mode === 'observe') {
      verdict.reason = `observed: would_have_blocked_due_to_${verdict.reason}`;
      verdict.authorized = true;
    }
    try {
      const { seq } = await this.backend.appendAudit(this.auditRecord(req, verdict, policyHash));
      verdict.auditSeq = seq;
    } catch (e) {
      // Nothing runs that is not on the record.
      return this.failClosed(verdict, `audit_error:${errorText(e)}`, req, policyHash, started, false);
    }

    if (verdict.decision === 'require_approval' && verdict.approvalId && opts.waitForApproval && opts.waitForApproval > 0 && this.mode === 'enforce') {
      return this.awaitApproval(verdict, req, opts.waitForApproval, opts.signal, started);
    }
    verdict.latencyMs = performance.now() - started;
    return verdict;
  }

  private async approvalFlow(req: CallRequest, environment: string, verdict: ExecutionVerdict, policyHash: string): Promise<void> {
    const grant = await this.backend.useGrant({ actor: req.actor, capability: req.capability, environment, ...(req.sessionId ? { sessionId: req.sessionId } : {}) });
    if (grant) {
      Object.assign(verdict, { authorized: true, decision: 'allow', reason: `approved_grant:${grant.id}:${grant.grantedBy}`, approvalId: grant.id });
      return;
    }
    const hash = argumentsHash(req.payload);
    const approved = await this.backend.consumeApproved(req.actor, req.capability, hash);
    if (approved) {
      Object.assign(verdict, {
        authorized: true,
        decision: 'allow',
        reason: `previously_approved:${approved.id}`,
        approvalId: approved.id,
        ...approverFields(approved),
      });
      return;
    }
    const pending = await this.backend.createOrAttachApproval({
      actor: req.actor,
      capability: req.capability,
      tool: req.tool,
      arguments: req.payload,
      argumentsHash: hash,
      reason: `${verdict.explanation.rule ?? 'policy'} requires approval for ${req.capability}`,
      rule: verdict.explanation.rule,
      policyHash,
      risk: verdict.riskScore,
      expiresInSeconds: this.loaded.policy.meta.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_S,
      ...(req.sessionId ? { sessionId: req.sessionId } : {}),
    });
    verdict.reason = `approval_required:${pending.id}`;
    verdict.approvalId = pending.id;
  }

  /** Waits for a person, then records and returns the final verdict. */
  async awaitApproval(verdict: ExecutionVerdict, req: CallRequest, timeoutMs: number, signal: AbortSignal | undefined, started = performance.now()): Promise<ExecutionVerdict> {
    const id = verdict.approvalId as string;
    let final: ExecutionVerdict = { ...verdict };
    try {
      const outcome = await this.backend.waitForApproval(id, timeoutMs, signal);
      if (outcome.status === 'approved') {
        const used = await this.backend.consumeApproval(id);
        if (used) final = { ...final, authorized: true, decision: 'allow', reason: `approved:${id}`, ...approverFields(used) };
        else final = { ...final, authorized: false, decision: 'deny', reason: `approval_already_used:${id}` };
      } else if (outcome.status === 'pending') {
        verdict.latencyMs = performance.now() - started;
        return verdict;
      } else {
        final = {
          ...final,
          authorized: false,
          decision: 'deny',
          reason: outcome.status === 'denied' ? `approval_denied:${id}${outcome.reason ? `: ${outcome.reason}` : ''}` : `approval_${outcome.status}:${id}`,
          ...approverFields(outcome),
        };
      }
      const { seq } = await this.backend.appendAudit({ ...this.auditRecord(req, final, final.policyHash ?? ''), kind: 'approval' });
      final.auditSeq = seq;
    } catch (e) {
      return this.failClosed(final, `store_error:${errorText(e)}`, req, final.policyHash ?? '', started);
    }
    final.latencyMs = performance.now() - started;
    return final;
  }

  /** Cancels a pending approval (the caller gave up). */
  async cancelApproval(id: string, reason: string): Promise<void> {
    await this.backend.cancelApproval(id, reason);
  }

  /**
   * Records and returns a deny decided outside the policy (a quarantined tool, a tool that cannot
   * be mapped to a capability). The deny stands even when the store cannot record it; the reason
   * then says so.
   */
  async refuse(req: CallRequest, reason: string): Promise<ExecutionVerdict> {
    const started = performance.now();
    const policyHash = await this.policyHash.catch(() => '');
    const verdict: ExecutionVerdict = {
      authorized: false,
      decision: 'deny',
      reason,
      capability: req.capability,
      explanation: failureExplanation(this.loaded.policy.id, reason),
      riskScore: req.riskScore ?? 0.5,
      latencyMs: 0,
      ...(policyHash ? { policyHash } : {}),
    };
    try {
      verdict.auditSeq = (await this.backend.appendAudit(this.auditRecord(req, verdict, policyHash))).seq;
    } catch (e) {
      verdict.reason = `${reason} (audit_error:${errorText(e)})`;
    }
    verdict.latencyMs = performance.now() - started;
    return verdict;
  }

  private async failClosed(verdict: ExecutionVerdict, reason: string, req: CallRequest, policyHash: string, started: number, tryAudit = true): Promise<ExecutionVerdict> {
    const denied: ExecutionVerdict = { ...verdict, authorized: false, decision: 'deny', reason, latencyMs: performance.now() - started };
    delete denied.auditSeq;
    if (tryAudit) {
      try {
        denied.auditSeq = (await this.backend.appendAudit(this.auditRecord(req, denied, policyHash))).seq;
      } catch {
        // The store is what failed: the deny still stands, and the caller sees why.
      }
    }
    return denied;
  }

  private auditRecord(req: CallRequest, v: ExecutionVerdict, policyHash: string) {
    return {
      kind: 'decision' as const,
      actor: req.actor,
      capability: req.capability,
      tool: req.tool,
      decision: v.decision,
      authorized: v.authorized,
      reason: v.reason,
      rule: v.explanation.rule,
      policyHash,
      payload: req.payload,
      environment: req.environment ?? 'development',
      ...(req.sessionId ? { sessionId: req.sessionId } : {}),
      ...(v.approvalId ? { approvalId: v.approvalId } : {}),
      ...(v.approver ? { approver: v.approver } : {}),
      ...(v.approverReason ? { approverReason: v.approverReason } : {}),
    };
  }

  /** Flushes and closes the store. */
  async close(): Promise<void> {
    await this.backend.close();
  }
}

function backendFor(opts: RuntimeOptions): RuntimeBackend {
  const env = opts.env ?? process.env;
  const db = opts.db ?? defaultDbPath(env);
  if (db === ':memory:') return new MemoryBackend();
  try {
    return new StoreBackend(openStore(db, { ...opts.store, env }));
  } catch (e) {
    return new FailedBackend(`cannot open the store \`${db}\`: ${errorText(e)}`);
  }
}

function approverFields(a: ApprovalRef): Partial<ExecutionVerdict> {
  return {
    ...(a.resolvedBy ? { approver: a.resolvedBy } : {}),
    ...(a.reason ? { approverReason: a.reason } : {}),
    ...(a.editedArguments ? { editedArguments: a.editedArguments } : {}),
  };
}

