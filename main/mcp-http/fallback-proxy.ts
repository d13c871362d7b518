import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  CancelledNotificationSchema,
  InitializeResultSchema,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { ActionRuntime } from '../runtime/action-runtime.js';

/** The JSON-RPC error a blocked tool call gets; `data` says why. */
export const BLOCKED_CODE = -32000;
export const BLOCKED_MESSAGE = 'CapFence blocked this tool call';

/** One tool call to judge. */
export interface ToolCall {
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
  sessionId: string | undefined;
  signal: AbortSignal;
}

/** Allow (possibly with arguments an approver edited) or a JSON-RPC error for the client. */
export type ToolCallVerdict =
  | { allow: true; arguments: Record<string, unknown> }
  | { allow: false; error: { code: number; message: string; data?: Record<string, unknown> } };

export type ToolCallJudge = (call: ToolCall) => Promise<ToolCallVerdict>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The capability a tool call asks for: the policy's `mcp:` mapping, else `mcp.<server>.<tool>`. */
export function toolCapability(mapping: Record<string, Record<string, string>>, server: string, tool: string): string {
  const m = mapping[server] ?? mapping['*'];
  return m?.[tool] ?? m?.['*'] ?? `mcp.${server}.${tool}`;
}

/**
 * A judge over the runtime: `decideCall` with capability `mcp.<server>.<tool>` (or the policy's
 * mapping), holding a require_approval call up to `holdMs` for a person. Any error denies.
 */
export function runtimeJudge(runtime: () => ActionRuntime, opts: { actor: string; holdMs: number }): ToolCallJudge {
  return async (call) => {
    let capability = `mcp.${call.server}.${call.tool}`;
    try {
      const rt = runtime();
      capability = toolCapability(rt.policy.policy.mcp ?? {}, call.server, call.tool);
      const v = await rt.decideCall(
        { actor: opts.actor, capability, tool: call.tool, payload: call.arguments, ...(call.sessionId ? { sessionId: call.sessionId } : {}) },
        { waitForApproval: opts.holdMs, signal: call.signal },
      );
      if (v.authorized) return { allow: true, arguments: v.editedArguments ?? call.arguments };
      return {
        allow: false,
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
      return { allow: false, error: { code: BLOCKED_CODE, message: BLOCKED_MESSAGE, data: { reason: `judge_error:${e instanceof Error ? e.message : String(e)}`, decision: 'deny', capability, rule: null, risk_score: 1 } } };
    }
  };
}

/** A running pair of transports with the judge between them. */
export interface PolicyProxy {
  close(): Promise<void>;
}

/**
 * Relays JSON-RPC between an MCP client transport and an upstream transport, judging every
 * `tools/call` before it leaves. A call that is malformed, denied, or whose judging fails gets an
 * error response and never reaches the upstream. Closing either side closes both.
 */
export async function startPolicyProxy(opts: {
  client: Transport;
  upstream: Transport;
  judge: ToolCallJudge;
  serverName: string;
  onClose?: () => void;
}): Promise<PolicyProxy> {
  const { client, upstream, judge, serverName } = opts;
  const inflight = new Map<RequestId, AbortController>();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const c of inflight.values()) c.abort();
    inflight.clear();
    await Promise.allSettled([client.close(), upstream.close()]);
    opts.onClose?.();
  };
  const toClient = (m: JSONRPCMessage, related?: RequestId) =>
    client.send(m, related !== undefined ? { relatedRequestId: related } : undefined).catch(() => undefined);
  const toUpstream = (m: JSONRPCMessage) =>
    upstream.send(m).catch((e: unknown) => {
      if (isJSONRPCRequest(m)) void toClient({ jsonrpc: '2.0', id: m.id, error: { code: -32603, message: `upstream \`${serverName}\` unreachable: ${e instanceof Error ? e.message : String(e)}` } }, m.id);
    });
  const initializeIds = new Set<RequestId>();

  client.onmessage = (m) => {
    if (closed) return;
    if (isJSONRPCRequest(m) && m.method === 'initialize') initializeIds.add(m.id);
    if (isJSONRPCNotification(m) && m.method === 'notifications/cancelled') {
      const parsed = CancelledNotificationSchema.safeParse(m);
      if (parsed.success && parsed.data.params.requestId !== undefined) inflight.get(parsed.data.params.requestId)?.abort();
    }
    if (!(isJSONRPCRequest(m) && m.method === 'tools/call')) return void toUpstream(m);
    const parsed = CallToolRequestSchema.safeParse(m);
    if (!parsed.success) {
      return void toClient({ jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'invalid tools/call parameters' } }, m.id);
    }
    const args = parsed.data.params.arguments ?? {};
    const controller = new AbortController();
    inflight.set(m.id, controller);
    void judge({ server: serverName, tool: parsed.data.params.name, arguments: isRecord(args) ? args : {}, sessionId: client.sessionId, signal: controller.signal })
      .catch((e: unknown): ToolCallVerdict => ({ allow: false, error: { code: BLOCKED_CODE, message: BLOCKED_MESSAGE, data: { reason: `judge_error:${String(e)}`, decision: 'deny' } } }))
      .then((v) => {
        inflight.delete(m.id);
        if (closed) return;
        if (!v.allow) return void toClient({ jsonrpc: '2.0', id: m.id, error: v.error }, m.id);
        void toUpstream({ ...m, params: { ...m.params, arguments: v.arguments } });
      });
  };
  upstream.onmessage = (m) => {
    if (closed) return;
    if (isJSONRPCResultResponse(m) && initializeIds.delete(m.id)) {
      // An HTTP upstream must send the negotiated version on every later request.
      const init = InitializeResultSchema.safeParse(m.result);
      if (init.success) upstream.setProtocolVersion?.(init.data.protocolVersion);
    }
    void toClient(m, 'id' in m && !isJSONRPCRequest(m) ? (m.id as RequestId) : undefined);
  };
  client.onclose = () => void close();
  upstream.onclose = () => void close();
  client.onerror = () => undefined;
  upstream.onerror = () => undefined;
  try {
    await upstream.start();
    await client.start();
  } catch (e) {
    await close();
    throw e;
  }
  return { close };
}
