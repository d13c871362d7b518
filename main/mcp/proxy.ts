import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCRequest, RequestId, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Judgement, ToolCallJudge, WireError } from './judge-types.js';
import { checkJsonRpc } from './jsonrpc-check.js';
import { INVALID_REQUEST, MalformedMessageError, idOfInvalid } from './malformed.js';

export type { Judgement, ToolCall, ToolCallJudge, WireError } from './judge-types.js';

/** A running policy proxy between one MCP client and one upstream server. */
export interface PolicyProxy {
  /** Stops both sides (the upstream transport is closed, which ends a stdio server). */
  close(): Promise<void>;
}

export interface PolicyProxyOptions {
  /** The side the agent's MCP client talks to (stdio, Streamable HTTP server transport, ...). */
  client: Transport;
  /** The upstream MCP server (a child process over stdio, a remote HTTP endpoint, ...). */
  upstream: Transport;
  judge: ToolCallJudge;
  /** The upstream's name, as the policy's `mcp:` section and the tool pins know it. */
  serverName: string;
  /** Called once, when either side has closed and the proxy has stopped. */
  onClose?: () => void;
  /** Diagnostics (one line each); the proxy never writes anywhere else. */
  log?: (line: string) => void;
}

const INTERNAL_ERROR = -32603;
const METHOD_NOT_FOUND = -32601;
/** The original gateway also judged these spellings of a tool call. */
const LEGACY_CALL_METHODS = new Set(['tool/call', 'call_tool']);
const INVALID_PARAMS = -32602;
const INTERNAL_PREFIX = 'capfence-internal-';
const LIST_TIMEOUT_MS = 15_000;
const MAX_LIST_PAGES = 100;

/** Request ids `1` and `"1"` are different requests. */
const keyOf = (id: RequestId): string => (typeof id === 'number' ? `n${id}` : `s${id}`);

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const isRequest = (m: JSONRPCMessage): m is JSONRPCRequest => 'method' in m && 'id' in m;
const isNotification = (m: JSONRPCMessage): m is Extract<JSONRPCMessage, { method: string }> => 'method' in m && !('id' in m);

/**
 * Starts a policy proxy: every message flows both ways untouched and independently (requests,
 * responses, notifications, server-to-client requests such as sampling and elicitation,
 * cancellations), except `tools/call` requests from the client, which the judge decides first,
 * and `tools/list` results, which the judge reviews (pinning, hiding). Every message from either
 * side is validated against the SDK's JSON-RPC schema (`checkJsonRpc`); a bad one is answered
 * with a JSON-RPC error when it carries an id, and the proxy stays up. Transport-agnostic:
 * stdio, Streamable HTTP, in-memory.
 */
export async function startPolicyProxy(opts: PolicyProxyOptions): Promise<PolicyProxy> {
  const proxy = new PolicyProxyImpl(opts);
  await proxy.start();
  return proxy;
}

/**
 * A `tools/call` being judged. Its AbortSignal is made only if the judge reads it (to hold the
 * call for a person), already aborted when the call was cancelled before: building a signal costs
 * more than the rest of forwarding the call, so the proxy keeps its own flag instead of asking it.
 */
class Held {
  aborted = false;
  private controller: AbortController | undefined;
  private reason: Error | undefined;
  constructor(readonly id: RequestId) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

class PolicyProxyImpl implements PolicyProxy {
  private readonly client: Transport;
  private readonly upstream: Transport;
  private readonly judge: ToolCallJudge;
  private readonly log: (line: string) => void;
  /** Client requests sent upstream and not yet answered, by id key → method. */
  private readonly forwarded = new Map<string, { id: RequestId; method: string }>();
  /** `tools/call` requests being judged (or held for approval). */
  private readonly held = new Map<string, Held>();
  /** The proxy's own requests to the upstream. */
  private readonly internal = new Map<string, { resolve: (m: JSONRPCMessage) => void; reject: (e: Error) => void }>();
  private internalSeq = 0;
  private upstreamGone = false;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: PolicyProxyOptions) {
    this.client = opts.client;
    this.upstream = opts.upstream;
    this.judge = opts.judge;
    this.log = opts.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    this.client.onmessage = (m) => this.fromClient(m);
    this.client.onerror = (e) => this.onTransportError('client', e);
    this.client.onclose = () => void this.shutdown('client disconnected');
    this.upstream.onmessage = (m) => this.fromUpstream(m);
    this.upstream.onerror = (e) => this.onTransportError('upstream', e);
    this.upstream.onclose = () => this.onUpstreamClosed();
    // Upstream first: a client message may arrive as soon as the client side starts.
    await this.upstream.start();
    await this.client.start();
  }

  // ---- sending -------------------------------------------------------------------------------

  private toClient(m: JSONRPCMessage): void {
    if (this.closed) return;
    this.client.send(m).catch((e: unknown) => this.log(`cannot write to the client: ${errorText(e)}`));
  }

  private toUpstream(m: JSONRPCMessage): Promise<void> {
    if (this.upstreamGone) return Promise.reject(new Error(`upstream MCP server \`${this.opts.serverName}\` is not running`));
    return this.upstream.send(m);
  }

  private errorToClient(id: RequestId, error: WireError): void {
    this.toClient({ jsonrpc: '2.0', id, error } as JSONRPCMessage);
  }

  // ---- bad input -----------------------------------------------------------------------------

  private onTransportError(side: 'client' | 'upstream', e: Error): void {
    if (!(e instanceof MalformedMessageError)) {
      this.log(`${side} transport error: ${e.message}`);
      return;
    }
    this.log(`${side} sent a malformed message: ${e.message}${e.id !== undefined ? ` (id ${JSON.stringify(e.id)})` : ''}`);
    this.answerMalformed(side, e.id, e.hadMethod, { code: e.code, message: e.message });
  }

  private answerMalformed(side: 'client' | 'upstream', id: RequestId | undefined, hadMethod: boolean, error: WireError): void {
    if (id === undefined) return;
    if (side === 'client') {
      this.errorToClient(id, error);
      return;
    }
    // A broken answer to one of the client's requests: the client must not wait forever.
    const pending = hadMethod ? undefined : this.forwarded.get(keyOf(id));
    if (pending) {
      this.forwarded.delete(keyOf(id));
      this.errorToClient(id, { code: INTERNAL_ERROR, message: `upstream MCP server \`${this.opts.serverName}\` sent an invalid response: ${error.message}` });
      return;
    }
    const internal = hadMethod ? undefined : this.internal.get(keyOf(id));
    if (internal) {
      this.internal.delete(keyOf(id));
      internal.reject(new Error(`upstream sent an invalid response: ${error.message}`));
      return;
    }
    if (hadMethod) this.toUpstream({ jsonrpc: '2.0', id, error } as JSONRPCMessage).catch(() => undefined);
  }

  /** JSON-RPC batches were removed from MCP: each request in one is refused, none is forwarded. */
  private refuseBatch(items: unknown[]): void {
    this.log(`client sent a JSON-RPC batch of ${items.length}; batches are not supported`);
    for (const item of items) {
      const { id, hadMethod } = idOfInvalid(item);
      if (id !== undefined && hadMethod) this.errorToClient(id, { code: INVALID_REQUEST, message: 'JSON-RPC batches are not supported: send each message on its own line' });
    }
  }

  private validate(side: 'client' | 'upstream', raw: unknown): JSONRPCMessage | undefined {
    const checked = checkJsonRpc(raw);
    if (checked.ok) return checked.message;
    const { id, hadMethod } = idOfInvalid(raw);
    this.log(`${side} sent an ${checked.error}`);
    this.answerMalformed(side, id, hadMethod, { code: INVALID_REQUEST, message: checked.error });
    return undefined;
  }

  // ---- client → upstream ---------------------------------------------------------------------

  private fromClient(raw: JSONRPCMessage): void {
    if (Array.isArray(raw)) {
      this.refuseBatch(raw as unknown[]);
      return;
    }
    const m = this.validate('client', raw);
    if (!m) return;
    if (isRequest(m)) {
      if (m.method === 'tools/call') {
        void this.handleToolCall(m);
        return;
      }
      if (LEGACY_CALL_METHODS.has(m.method)) {
        // Never forwarded unjudged: a server that understood the old spelling would run the tool.
        this.errorToClient(m.id, { code: METHOD_NOT_FOUND, message: `method \`${m.method}\` is not supported: use \`tools/call\`` });
        return;
      }
      this.forwarded.set(keyOf(m.id), { id: m.id, method: m.method });
      this.toUpstream(m).catch((e: unknown) => {
        this.forwarded.delete(keyOf(m.id));
        this.errorToClient(m.id, { code: INTERNAL_ERROR, message: errorText(e) });
      });
      return;
    }
    if (isNotification(m) && (m.method === 'tools/call' || LEGACY_CALL_METHODS.has(m.method))) {
      // A tool call without an id cannot be answered, so it cannot be judged: it is dropped.
      this.log(`dropped a \`${m.method}\` notification (a tool call needs an id)`);
      return;
    }
    if (isNotification(m) && m.method === 'notifications/cancelled') {
      const requestId = (m.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') {
        const h = this.held.get(keyOf(requestId));
        if (h) {
          // The upstream never saw this call: stop judging it (the judge cancels its approval).
          h.abort(new Error('cancelled by the client'));
          return;
        }
        // The upstream may never answer a cancelled request: stop tracking it (a late answer still passes).
        this.forwarded.delete(keyOf(requestId));
      }
    }
    this.toUpstream(m).catch((e: unknown) => this.log(`cannot forward to the upstream: ${errorText(e)}`));
  }

  private async handleToolCall(m: JSONRPCRequest): Promise<void> {
    const key = keyOf(m.id);
    const params = (m.params ?? {}) as { name?: unknown; arguments?: unknown; _meta?: { progressToken?: unknown } };
    if (typeof params.name !== 'string') {
      this.errorToClient(m.id, { code: INVALID_PARAMS, message: '`tools/call` needs a tool `name`' });
      return;
    }
    const args = params.arguments;
    if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
      this.errorToClient(m.id, { code: INVALID_PARAMS, message: '`tools/call` arguments must be an object' });
      return;
    }
    if (this.held.has(key) || this.forwarded.has(key)) {
      this.errorToClient(m.id, { code: INVALID_REQUEST, message: `request id ${JSON.stringify(m.id)} is already in use` });
      return;
    }
    const held = new Held(m.id);
    this.held.set(key, held);
    const token = params._meta?.progressToken;
    const progressToken = typeof token === 'string' || typeof token === 'number' ? token : undefined;
    const callArgs = (args ?? {}) as Record<string, unknown>;
    let judgement: Judgement;
    try {
      judgement = await this.judge.judge({
        name: params.name,
        arguments: callArgs,
        progressToken,
        get signal() {
          return held.signal;
        },
        sendProgress: (progress, message) => {
          if (progressToken === undefined || held.aborted) return;
          this.toClient({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress, message } });
        },
        listTools: () => this.listTools(),
      });
    } catch (e) {
      // Fail closed: a judge that breaks denies, and says why.
      judgement = { kind: 'error', error: { code: -32000, message: 'CapFence blocked this tool call', data: { reason: `judge_error:${errorText(e)}`, decision: 'deny' } } };
    } finally {
      this.held.delete(key);
    }
    if (this.upstreamGone) {
      this.errorToClient(m.id, { code: INTERNAL_ERROR, message: `upstream MCP server \`${this.opts.serverName}\` exited` });
      return;
    }
    if (held.aborted || this.closed) return;
    switch (judgement.kind) {
      case 'forward': {
        // Always re-serialised from what was judged (never the raw bytes): a line with duplicate
        // keys must not reach a server whose parser picks a different value than ours did.
        const out: JSONRPCRequest = { ...m, params: { ...m.params, arguments: judgement.arguments } };
        this.forwarded.set(key, { id: m.id, method: 'tools/call' });
        this.toUpstream(out).catch((e: unknown) => {
          this.forwarded.delete(key);
          this.errorToClient(m.id, { code: INTERNAL_ERROR, message: errorText(e) });
        });
        return;
      }
      case 'error':
        this.errorToClient(m.id, judgement.error);
        return;
      case 'result':
        this.toClient({ jsonrpc: '2.0', id: m.id, result: judgement.result } as JSONRPCMessage);
        return;
      case 'drop':
        return;
    }
  }

  // ---- upstream → client ---------------------------------------------------------------------

  private fromUpstream(raw: JSONRPCMessage): void {
    const m = this.validate('upstream', raw);
    if (!m) return;
    if ('result' in m || 'error' in m) {
      if (m.id === undefined) {
        this.toClient(m);
        return;
      }
      const key = keyOf(m.id);
      const internal = this.internal.get(key);
      if (internal) {
        this.internal.delete(key);
        internal.resolve(m);
        return;
      }
      const f = this.forwarded.get(key);
      this.forwarded.delete(key);
      if (f?.method === 'tools/list' && 'result' in m && this.judge.reviewTools) {
        void this.reviewListed(m);
        return;
      }
      this.toClient(m);
      return;
    }
    if (isNotification(m) && m.method === 'notifications/tools/list_changed') this.judge.toolsChanged?.();
    this.toClient(m);
  }

  private async reviewListed(m: Extract<JSONRPCMessage, { result: unknown }>): Promise<void> {
    const result = m.result as { tools?: unknown };
    if (!Array.isArray(result.tools)) {
      this.toClient(m);
      return;
    }
    try {
      const tools = result.tools as Tool[];
      const shown = await (this.judge.reviewTools as NonNullable<ToolCallJudge['reviewTools']>)(tools);
      // Nothing hidden: the page leaves as it came (the judge only ever removes tools).
      this.toClient(shown === tools || shown.length === tools.length ? m : { ...m, result: { ...m.result, tools: shown } });
    } catch (e) {
      this.log(`cannot review the tool list: ${errorText(e)}`);
      this.errorToClient(m.id, { code: INTERNAL_ERROR, message: `CapFence could not review the tool list: ${errorText(e)}` });
    }
  }

  /** Lists every tool the upstream offers, page by page, with the proxy's own requests. */
  private listing: Promise<Tool[]> | undefined;
  private listTools(): Promise<Tool[]> {
    this.listing ??= this.fetchTools().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async fetchTools(): Promise<Tool[]> {
    const all: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const reply = await this.internalRequest('tools/list', cursor ? { cursor } : {});
      if ('error' in reply) throw new Error(`upstream refused \`tools/list\`: ${(reply.error as WireError).message}`);
      const result = (reply as { result: { tools?: unknown; nextCursor?: unknown } }).result;
      if (!Array.isArray(result.tools)) throw new Error('upstream `tools/list` result has no `tools` array');
      const tools = result.tools as Tool[];
      if (this.judge.reviewTools) await this.judge.reviewTools(tools);
      all.push(...tools);
      if (typeof result.nextCursor !== 'string' || result.nextCursor === '') return all;
      cursor = result.nextCursor;
    }
    throw new Error(`upstream \`tools/list\` has more than ${MAX_LIST_PAGES} pages`);
  }

  private internalRequest(method: string, params: Record<string, unknown>): Promise<Extract<JSONRPCMessage, { id: RequestId }>> {
    const id = `${INTERNAL_PREFIX}${++this.internalSeq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.internal.delete(keyOf(id));
        reject(new Error(`upstream did not answer \`${method}\` within ${LIST_TIMEOUT_MS / 1000} s`));
      }, LIST_TIMEOUT_MS);
      timer.unref();
      this.internal.set(keyOf(id), {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<JSONRPCMessage, { id: RequestId }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.toUpstream({ jsonrpc: '2.0', id, method, params }).catch((e: unknown) => {
        this.internal.delete(keyOf(id));
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  // ---- shutdown ------------------------------------------------------------------------------

  private onUpstreamClosed(): void {
    if (this.upstreamGone) return;
    this.upstreamGone = true;
    if (!this.closing) this.log(`upstream MCP server \`${this.opts.serverName}\` exited`);
    const message = `upstream MCP server \`${this.opts.serverName}\` exited`;
    for (const f of this.forwarded.values()) this.errorToClient(f.id, { code: INTERNAL_ERROR, message });
    this.forwarded.clear();
    for (const i of this.internal.values()) i.reject(new Error(message));
    this.internal.clear();
    void this.shutdown('upstream exited');
  }

  private shutdown(why: string): Promise<void> {
    this.closing ??= (async () => {
      // Held calls stop waiting; each answers (upstream gone) or drops (client gone) itself.
      const pending = [...this.held.values()];
      for (const h of pending) h.abort(new Error(why));
      await waitUntil(() => this.held.size === 0, 2000);
      if (!this.upstreamGone) {
        this.upstreamGone = true;
        await this.upstream.close().catch((e: unknown) => this.log(`cannot stop the upstream: ${errorText(e)}`));
      }
      this.closed = true;
      await this.client.close().catch(() => undefined);
      this.opts.onClose?.();
    })();
    return this.closing;
  }

  close(): Promise<void> {
    return this.shutdown('proxy closed');
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}
