import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolRequest, ListToolsRequest, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ActionRuntime } from '../runtime/action-runtime.js';
import { AgentActionBlocked } from '../runtime/errors.js';
import { StoreBackend } from '../runtime/store-backend.js';
import type { Store } from '../store/store.js';
import { GroupCommitBackend } from '../runtime/group-commit-backend.js';
import { DEFAULT_HOLD_MS, ToolCallDecider, blockedError } from './judge.js';

export interface CapFenceMCPSessionOptions {
  runtime: ActionRuntime;
  /** The server's name for the `mcp:` mapping and pins; default the name the server reports. */
  serverName?: string;
  /** The actor every decision names; default `mcp-agent`, as the original. */
  agentId?: string;
  sessionId?: string;
  environment?: string;
  /** How long `callTool` waits for a person when approval is required (default 50 s; 0 = do not wait). */
  approvalTimeoutMs?: number;
  /** The original's name guessing for unmapped tools. */
  legacyToolMap?: boolean;
  /** Tool pins to check calls against; default the runtime's store when it has one, `false` for none. */
  pins?: Store['tools'] | false;
}

/**
 * An SDK `Client` whose tool calls are judged first, with the gateway's mapping, pins and
 * approval flow: a blocked call throws `AgentActionBlocked` (with the verdict) and never reaches
 * the server; every decision is in the audit chain. `client` is the wrapped client, for
 * everything else.
 */
export class CapFenceMCPSession {
  private decider: ToolCallDecider | undefined;

  constructor(
    readonly client: Client,
    private readonly opts: CapFenceMCPSessionOptions,
  ) {}

  private getDecider(): ToolCallDecider {
    if (!this.decider) {
      const backend = this.opts.runtime.backend;
      const store = backend instanceof StoreBackend ? backend.store : backend instanceof GroupCommitBackend ? backend.inner.store : undefined;
      const pins = this.opts.pins === false ? undefined : (this.opts.pins ?? store?.tools);
      this.decider = new ToolCallDecider({
        runtime: this.opts.runtime,
        serverName: this.opts.serverName ?? this.client.getServerVersion()?.name ?? 'mcp',
        actor: this.opts.agentId ?? 'mcp-agent',
        ...(this.opts.sessionId ? { sessionId: this.opts.sessionId } : {}),
        ...(this.opts.environment ? { environment: this.opts.environment } : {}),
        legacyToolMap: this.opts.legacyToolMap === true,
        pins,
      });
    }
    return this.decider;
  }

  /** Lists tools through the wrapped client, pinning what the server shows. */
  async listTools(params?: ListToolsRequest['params'], options?: RequestOptions): ReturnType<Client['listTools']> {
    const r = await this.client.listTools(params, options);
    await this.getDecider().pins?.observe(r.tools);
    return r;
  }

  private async listAllTools(): Promise<Tool[]> {
    const all: Tool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await this.listTools(cursor ? { cursor } : undefined);
      all.push(...r.tools);
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    return all;
  }

  /** Judges the call, then makes it (with an approver's edited arguments); throws `AgentActionBlocked` when it may not run. */
  async callTool(params: CallToolRequest['params'], resultSchema?: Parameters<Client['callTool']>[1], options?: RequestOptions): ReturnType<Client['callTool']> {
    const args = (params.arguments ?? {}) as Record<string, unknown>;
    const decided = await this.getDecider().decide(params.name, args, {
      holdMs: this.opts.approvalTimeoutMs ?? DEFAULT_HOLD_MS,
      ...(options?.signal ? { signal: options.signal } : {}),
      listTools: () => this.listAllTools(),
    });
    const v = decided.verdict;
    if (decided.cancelled || options?.signal?.aborted) throw new AgentActionBlocked(`Tool '${params.name}' blocked: the call was cancelled while waiting for approval`, { ...v, authorized: false });
    if (!v.authorized) {
      const e = blockedError(v);
      const detail = v.decision === 'require_approval' ? e.message : `Tool '${params.name}' blocked: ${v.reason}`;
      throw new AgentActionBlocked(detail, v);
    }
    return this.client.callTool({ ...params, arguments: decided.arguments }, resultSchema, options);
  }
}
