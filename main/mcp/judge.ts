import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ExecutionVerdict } from '../../shared/events/verdict.js';
import { capabilityMatches } from '../../shared/policy/capability.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import type { ActionRuntime, CallRequest } from '../runtime/action-runtime.js';
import type { Store } from '../store/store.js';
import type { Judgement, ToolCall, ToolCallJudge, WireError } from './judge-types.js';
import { legacyToolCapability, toolCapability } from './tool-capability.js';
import { ToolPinSession } from './tool-pins.js';

export type { Judgement, ToolCall, ToolCallJudge, WireError } from './judge-types.js';

/** The JSON-RPC error code and message of a blocked call (the original gateway's, kept for clients that match on them). */
export const BLOCKED_CODE = -32000;
export const BLOCKED_MESSAGE = 'CapFence blocked this tool call';

/** How long a call needing approval is held open by default (below the SDK's 60 s request timeout). */
export const DEFAULT_HOLD_MS = 50_000;

export interface ToolJudgeContext {
  runtime: ActionRuntime;
  serverName: string;
  /** The actor every decision names (`--agent-id`); default `mcp-gateway`. */
  actor?: string;
  sessionId?: string;
  /** The `environment` conditions see; default `production`, as the original gateway. */
  environment?: string;
  /** The original's name guessing instead of `mcp.<server>.<tool>` for unmapped tools. */
  legacyToolMap?: boolean;
  /** Pinned tool definitions; without them no pin check is made. */
  pins?: Store['tools'] | undefined;
  log?: (line: string) => void;
}

export interface PolicyJudgeOptions extends ToolJudgeContext {
  /** How long to hold a call that needs approval before answering "still pending" (default 50 s). */
  holdMs?: number;
  /** Progress notifications while held, when the client gave a progress token (default every 2 s). */
  progressIntervalMs?: number;
  /** Answer blocked calls with an `isError` tool result instead of a JSON-RPC error. */
  denyAsResult?: boolean;
  /** Leave tools the policy denies outright out of `tools/list`. */
  hideDeniedTools?: boolean;
}

/** A decided tool call: the final verdict and the arguments to run it with. */
export interface DecidedCall {
  verdict: ExecutionVerdict;
  arguments: Record<string, unknown>;
  request: CallRequest;
  /** The caller gave up while the call was held; nothing should be answered. */
  cancelled: boolean;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const MAX_MAPPED_TOOLS = 1024;

/**
 * Judges MCP tool calls for one upstream server: maps the tool to a capability, checks its
 * pinned definition, decides through the runtime (audited), and holds calls that need a person.
 * Shared by the gateway's judge and `CapFenceMCPSession`.
 */
export class ToolCallDecider {
  readonly pins: ToolPinSession | undefined;
  /** How many held calls wait on each approval: a cancel only withdraws it when none is left. */
  private readonly holders = new Map<string, number>();
  private readonly log: (line: string) => void;

  constructor(readonly ctx: ToolJudgeContext) {
    this.log = ctx.log ?? (() => undefined);
    this.pins = ctx.pins ? new ToolPinSession(ctx.pins, ctx.serverName, this.log) : undefined;
  }

  get actor(): string {
    return this.ctx.actor ?? 'mcp-gateway';
  }

  /**
   * Capabilities already mapped under the policy in force. A reload installs a new policy
   * object, which starts an empty cache: a mapping is never used under a policy it was not made from.
   */
  private mapped: { policy: LoadedPolicy; byTool: Map<string, string> } | undefined;

  private capabilityOf(tool: string): string {
    const policy = this.ctx.runtime.policy;
    if (this.mapped?.policy !== policy) this.mapped = { policy, byTool: new Map() };
    const byTool = this.mapped.byTool;
    let capability = byTool.get(tool);
    if (capability === undefined) {
      capability = toolCapability(policy.policy.mcp, this.ctx.serverName, tool, { legacy: this.ctx.legacyToolMap === true }).capability;
      // Tool names come from the client: bounded, so a stream of made-up names cannot grow it.
      if (byTool.size >= MAX_MAPPED_TOOLS) byTool.clear();
      byTool.set(tool, capability);
    }
    return capability;
  }

  /** The decision request for a call (capability from the `mcp:` section, or the default). */
  request(tool: string, args: Record<string, unknown>): CallRequest {
    const capability = this.capabilityOf(tool);
    const environment = this.ctx.environment ?? 'production';
    const context: Record<string, unknown> = { actor: this.actor, environment, tool_name: tool, mcp_server: this.ctx.serverName };
    // The original gateway set a risk level from the tool's name; only its compatibility mode does.
    if (this.ctx.legacyToolMap) context['risk_level'] = legacyToolCapability(tool).riskCategory ?? 'medium';
    return { actor: this.actor, capability, tool, payload: args, environment, context, ...(this.ctx.sessionId ? { sessionId: this.ctx.sessionId } : {}) };
  }

  /**
   * Decides one call. `holdMs` > 0 waits that long for a person when approval is required
   * (calling `onWaiting` every `intervalMs`); a still-pending verdict is returned as
   * `require_approval` with its `approvalId`. Never throws: any failure is a deny naming it.
   */
  async decide(
    tool: string,
    args: Record<string, unknown>,
    opts: { holdMs: number; signal?: AbortSignal; intervalMs?: number; onWaiting?: (elapsedS: number, approvalId: string) => void; listTools?: () => Promise<unknown> },
  ): Promise<DecidedCall> {
    let req: CallRequest;
    try {
      req = this.request(tool, args);
    } catch (e) {
      req = { actor: this.actor, capability: 'mcp.unknown', tool, payload: args };
      return { verdict: await this.refuse(req, `mapping_error:${errorText(e)}`), arguments: args, request: req, cancelled: false };
    }
    try {
      // Most calls are to a tool just found accepted: no promise to wait on for those.
      if (this.pins && opts.listTools && !this.pins.acceptedRecently(tool)) {
        const check = await this.pins.check(tool, opts.listTools);
        if (!check.ok) return { verdict: await this.refuse(req, check.reason), arguments: args, request: req, cancelled: false };
      }
      const verdict = await this.ctx.runtime.decideCall(req);
      if (verdict.decision !== 'require_approval' || !verdict.approvalId || opts.holdMs <= 0 || verdict.authorized) {
        // Not held, so not cancelled while held: the caller checks its own signal (reading it here would make the proxy build one per call).
        return { verdict, arguments: verdict.editedArguments ?? args, request: req, cancelled: false };
      }
      return await this.hold(verdict, req, args, opts);
    } catch (e) {
      return { verdict: await this.refuse(req, `judge_error:${errorText(e)}`), arguments: args, request: req, cancelled: false };
    }
  }

  private async hold(
    verdict: ExecutionVerdict,
    req: CallRequest,
    args: Record<string, unknown>,
    opts: { holdMs: number; signal?: AbortSignal; intervalMs?: number; onWaiting?: (elapsedS: number, approvalId: string) => void },
  ): Promise<DecidedCall> {
    const id = verdict.approvalId as string;
    this.holders.set(id, (this.holders.get(id) ?? 0) + 1);
    const started = Date.now();
    const timer = opts.onWaiting
      ? setInterval(() => opts.onWaiting?.(Math.round((Date.now() - started) / 1000), id), opts.intervalMs ?? 2000)
      : undefined;
    let final: ExecutionVerdict;
    try {
      opts.onWaiting?.(0, id);
      final = await this.ctx.runtime.awaitApproval(verdict, req, opts.holdMs, opts.signal);
    } finally {
      if (timer) clearInterval(timer);
      const left = (this.holders.get(id) ?? 1) - 1;
      if (left <= 0) this.holders.delete(id);
      else this.holders.set(id, left);
    }
    if (opts.signal?.aborted) {
      if (final.decision === 'require_approval' && !this.holders.has(id)) {
        const why = opts.signal.reason instanceof Error ? opts.signal.reason.message : 'the caller gave up';
        await this.ctx.runtime.cancelApproval(id, why).catch((e: unknown) => this.log(`cannot cancel approval ${id}: ${errorText(e)}`));
      }
      return { verdict: final, arguments: args, request: req, cancelled: true };
    }
    return { verdict: final, arguments: final.editedArguments ?? args, request: req, cancelled: false };
  }

  /** A deny decided here (quarantined tool, mapping failure), recorded in the audit chain like any other. */
  private refuse(req: CallRequest, reason: string): Promise<ExecutionVerdict> {
    return this.ctx.runtime.refuse({ ...req, environment: req.environment ?? 'production' }, reason);
  }

  /** Whether the policy can never let this tool run (an unconditional deny, or no rule that could allow it). */
  deniedOutright(tool: string): boolean {
    const req = this.request(tool, {});
    const policy = this.ctx.runtime.policy.policy;
    const matching = policy.rules.filter((r) => capabilityMatches(r.capability, req.capability));
    if (matching.some((r) => (r.action === 'deny' || r.action === 'block') && Object.keys(r.conditions).length === 0)) return true;
    if (matching.some((r) => r.action === 'allow' || r.action === 'warn' || r.action === 'require_approval')) return false;
    const level = req.context?.['risk_level'];
    const byLevel = typeof level === 'string' ? policy.riskLevels[level] : undefined;
    return !(byLevel === 'allow' || byLevel === 'warn' || byLevel === 'require_approval');
  }
}

/** The wire form of a blocked call: the original's error shape plus the capability and rule. */
export function blockedError(v: ExecutionVerdict): WireError {
  const pending = v.decision === 'require_approval' && v.approvalId !== undefined;
  return {
    code: BLOCKED_CODE,
    // A person's refusal names its reason in the message too: many clients show only the message.
    // Policy denials keep the original's exact message, which scripts match on.
    message: pending ? pendingMessage(v.approvalId as string) : v.reason.startsWith('approval_denied:') ? `${BLOCKED_MESSAGE}: denied by ${v.approver ?? 'a person'}${v.approverReason ? `: ${v.approverReason}` : ''}` : BLOCKED_MESSAGE,
    data: {
      reason: pending ? `approval_pending:${v.approvalId as string}` : v.reason,
      risk_score: v.riskScore,
      decision: v.decision,
      capability: v.capability,
      rule: v.explanation.rule,
      ...(v.approvalId ? { approval_id: v.approvalId } : {}),
      ...(v.approver ? { approver: v.approver } : {}),
      ...(v.approverReason ? { approver_reason: v.approverReason } : {}),
    },
  };
}

function pendingMessage(id: string): string {
  return `CapFence is holding this tool call for a person's approval (request ${id}). Approve it in the CapFence console or with \`capfence approve ${id} --by <you>\`, then retry the same call.`;
}

/** The same refusal as a tool result the model can read. */
export function blockedResult(v: ExecutionVerdict): CallToolResult {
  const e = blockedError(v);
  const data = e.data as { reason: string; decision: string; capability: string };
  const text = e.message.startsWith(BLOCKED_MESSAGE) ? `${BLOCKED_MESSAGE} (${data.decision} for \`${data.capability}\`): ${data.reason}` : e.message;
  return { content: [{ type: 'text', text }], isError: true, _meta: { capfence: e.data } };
}

/**
 * The gateway's judge: allow → forward (with an approver's edited arguments), deny → the
 * documented error (or an `isError` result), require_approval → held with progress, then
 * forwarded, refused with the approver's reason, or answered "still pending, retry".
 */
export function createPolicyJudge(opts: PolicyJudgeOptions): ToolCallJudge & { decider: ToolCallDecider } {
  const decider = new ToolCallDecider(opts);
  const holdMs = opts.holdMs ?? DEFAULT_HOLD_MS;
  const refuse = (v: ExecutionVerdict): Judgement => (opts.denyAsResult ? { kind: 'result', result: blockedResult(v) } : { kind: 'error', error: blockedError(v) });
  return {
    decider,
    async judge(call: ToolCall): Promise<Judgement> {
      const decided = await decider.decide(call.name, call.arguments, {
        holdMs,
        // Passed on unread: only a held call needs its signal (see `ToolCall.signal`).
        get signal() {
          return call.signal;
        },
        listTools: call.listTools,
        ...(opts.progressIntervalMs !== undefined ? { intervalMs: opts.progressIntervalMs } : {}),
        ...(call.progressToken !== undefined
          ? { onWaiting: (s: number, id: string) => call.sendProgress(s, `waiting for approval of request ${id} in CapFence (${s} s)`) }
          : {}),
      });
      if (decided.cancelled) return { kind: 'drop' };
      return decided.verdict.authorized ? { kind: 'forward', arguments: decided.arguments } : refuse(decided.verdict);
    },
    async reviewTools(tools: Tool[]): Promise<Tool[]> {
      if (decider.pins) await decider.pins.observe(tools);
      if (!opts.hideDeniedTools) return tools;
      return tools.filter((t) => typeof t?.name !== 'string' || !decider.deniedOutright(t.name));
    },
    toolsChanged() {
      decider.pins?.invalidate();
    },
  };
}
