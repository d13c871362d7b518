import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
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
    return new StreamableHTTPClientTransport(new URL(config.url), {
      requestInit: { headers: { ...config.headers } },
      // A remote server must not bounce our configured headers to another origin.
      redirectPolicy: 'same-origin',
    });
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

/** Closes an upstream transport, ending a remote session politely first. */
export async function closeUpstream(t: Transport): Promise<void> {
  if (t instanceof StreamableHTTPClientTransport && t.sessionId) {
    await t.terminateSession().catch(() => undefined);
  }
  await t.close().catch(() => undefined);
}

/** The process id of a stdio upstream, while it runs. */
export function upstreamPid(t: Transport): number | undefined {
  return t instanceof StdioClientTransport ? (t.pid ?? undefined) : undefined;
}
