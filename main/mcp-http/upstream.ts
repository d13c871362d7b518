import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { InitializeResultSchema, isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type MessageExtraInfo, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../../shared/mcp-server-config.js';

/** One line of an upstream server's stderr, for whoever runs the gateway. */
export type UpstreamLog = (server: string, line: string) => void;

/**
 * A client transport to the configured upstream: a child process over stdio, or a remote Streamable
 * HTTP endpoint. Not started: the proxy starts it after installing its handlers.
 */
export function upstreamTransport(config: McpServerConfig, onLog?: UpstreamLog): Transport {
  if (config.kind === 'http') {
    if (!config.url) throw new Error(`server \`${config.name}\` has no url`);
    return new RemoteUpstream(
      new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: { ...config.headers } },
        // A remote server must not bounce our configured headers to another origin.
        redirectPolicy: 'same-origin',
      }),
    );
  }
  const [command, ...args] = config.command ?? [];
  if (!command) throw new Error(`server \`${config.name}\` has no command`);
  const transport = new StdioClientTransport({
    command,
    args,
    // The SDK's safe default set (PATH, HOME, ...) plus the configured variables, never our whole environment.
    env: { ...getDefaultEnvironment(), ...config.env },
    ...(config.cwd ? { cwd: config.cwd } : {}),
    stderr: 'pipe',
  });
  const stderr = transport.stderr;
  if (stderr) {
    let buffered = '';
    stderr.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      // Bounded: a chatty or hostile server cannot grow this without limit.
      if (buffered.length > 64 * 1024) buffered = buffered.slice(-64 * 1024);
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        if (line) onLog?.(config.name, line);
      }
    });
  }
  return transport;
}

/**
 * A remote upstream as a relay needs it. The SDK's Client normally tells its HTTP transport the
 * negotiated protocol version (sent as `Mcp-Protocol-Version` on every later request) and ends
 * the remote session with DELETE; a relay has no Client, so this does both.
 */
class RemoteUpstream implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  private readonly initializeIds = new Set<RequestId>();

  constructor(private readonly inner: StreamableHTTPClientTransport) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  async start(): Promise<void> {
    this.inner.onmessage = (m: JSONRPCMessage) => {
      if (isJSONRPCResultResponse(m) && this.initializeIds.delete(m.id)) {
        const init = InitializeResultSchema.safeParse(m.result);
        if (init.success) this.inner.setProtocolVersion(init.data.protocolVersion);
      }
      this.onmessage?.(m);
    };
    this.inner.onerror = (e) => this.onerror?.(e);
    this.inner.onclose = () => this.onclose?.();
    await this.inner.start();
  }

  send(m: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isJSONRPCRequest(m) && m.method === 'initialize') this.initializeIds.add(m.id);
    const { resumptionToken, onresumptiontoken } = options ?? {};
    return this.inner.send(m, { ...(resumptionToken ? { resumptionToken } : {}), ...(onresumptiontoken ? { onresumptiontoken } : {}) });
  }

  async close(): Promise<void> {
    if (this.inner.sessionId) await this.inner.terminateSession().catch(() => undefined);
    await this.inner.close();
  }
}

/** The process id of a stdio upstream, while it runs. */
export function upstreamPid(t: Transport): number | undefined {
  return t instanceof StdioClientTransport ? (t.pid ?? undefined) : undefined;
}
