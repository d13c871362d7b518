import type { CallToolResult, ProgressToken, Tool } from '@modelcontextprotocol/sdk/types.js';

/** One `tools/call` the client sent, as the proxy hands it to a judge. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** `params._meta.progressToken`, when the client asked for progress. */
  progressToken: ProgressToken | undefined;
  /**
   * Aborted when the client cancels the call, disconnects, or the upstream goes away. Read it
   * only when needed (to hold the call): the proxy makes it on first read.
   */
  readonly signal: AbortSignal;
  /** Sends `notifications/progress` for this call (does nothing without a progress token). */
  sendProgress(progress: number, message: string): void;
  /**
   * The upstream's current tool list, fetched by the proxy itself (all pages) and shown to the
   * judge's `reviewTools` first: for calls made before the client ever listed tools.
   */
  listTools(): Promise<Tool[]>;
}

/** A JSON-RPC error object as it goes on the wire. */
export interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

/** What the proxy does with a judged call. */
export type Judgement =
  /** Send it upstream with these arguments (an approver may have edited them). */
  | { kind: 'forward'; arguments: Record<string, unknown> }
  /** Answer the client with a JSON-RPC error. */
  | { kind: 'error'; error: WireError }
  /** Answer the client with a tool result (e.g. `isError: true` the model can read). */
  | { kind: 'result'; result: CallToolResult }
  /** Answer nothing: the client cancelled the call. */
  | { kind: 'drop' };

/** Decides `tools/call` requests for a policy proxy and reviews the tool lists it passes on. */
export interface ToolCallJudge {
  judge(call: ToolCall): Promise<Judgement>;
  /**
   * Sees every page of tools the upstream lists (to the client or to the proxy itself) and
   * returns the tools the client may see. Throwing hides nothing and fails the listing.
   */
  reviewTools?(tools: Tool[]): Promise<Tool[]>;
  /** The upstream announced `notifications/tools/list_changed`. */
  toolsChanged?(): void;
}
