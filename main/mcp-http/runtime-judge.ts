import type { ToolCallJudge } from '../mcp/judge-types.js';
import { toolCapability } from '../mcp/tool-capability.js';
import type { ActionRuntime } from '../runtime/action-runtime.js';

/** The JSON-RPC error a blocked tool call gets; `data` says why. */
export const BLOCKED_CODE = -32000;
export const BLOCKED_MESSAGE = 'CapFence blocked this tool call';

export interface RuntimeJudgeOptions {
  server: string;
  actor: string;
  /** How long a require_approval call waits for a person before it is answered. */
  holdMs: number;
  /** The MCP session the calls belong to (bound into approvals and grants). */
  sessionId?: () => string | undefined;
}

/**
 * A judge over the runtime: `decideCall` with the policy's `mcp:` mapping or `mcp.<server>.<tool>`,
 * holding a require_approval call up to `holdMs`. Denials are the documented JSON-RPC error
 * `{code: -32000, message, data: {reason, risk_score, decision, capability, rule}}`; any error denies.
 */
export function runtimeJudge(runtime: () => ActionRuntime, opts: RuntimeJudgeOptions): ToolCallJudge {
  return {
    async judge(call) {
      let capability = `mcp.${opts.server}.${call.name}`;
      try {
        const rt = runtime();
        capability = toolCapability(rt.policy.policy.mcp ?? {}, opts.server, call.name).capability;
        const sessionId = opts.sessionId?.();
        const v = await rt.decideCall(
          { actor: opts.actor, capability, tool: call.name, payload: call.arguments, ...(sessionId ? { sessionId } : {}) },
          { waitForApproval: opts.holdMs, signal: call.signal },
        );
        if (call.signal.aborted && v.decision !== 'allow') return { kind: 'drop' };
        if (v.authorized) return { kind: 'forward', arguments: v.editedArguments ?? call.arguments };
        return {
          kind: 'error',
          error: {
            code: BLOCKED_CODE,
            message: BLOCKED_MESSAGE,
            data: {
              reason: v.reason,
              risk_score: v.riskScore,
              decision: v.decision,
              capability: v.capability,
              rule: v.explanation.rule,
              ...(v.approvalId ? { approval_id: v.approvalId } : {}),
            },
          },
        };
      } catch (e) {
        return {
          kind: 'error',
          error: { code: BLOCKED_CODE, message: BLOCKED_MESSAGE, data: { reason: `judge_error:${e instanceof Error ? e.message : String(e)}`, risk_score: 1, decision: 'deny', capability, rule: null } },
        };
      }
    },
  };
}
