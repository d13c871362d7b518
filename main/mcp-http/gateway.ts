import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { SERVER_NAME_RE, type McpServerConfig } from '../../shared/mcp-server-config.js';
import type { ActionRuntime } from '../runtime/action-runtime.js';
import type { Store } from '../store/store.js';
import { startPolicyProxy, type PolicyProxy } from '../mcp/proxy.js';
import { createPolicyJudge } from '../mcp/judge.js';
import { newToken, refuse, tokenChecker } from './security.js';
import { upstreamPid, upstreamTransport, type UpstreamLog } from './upstream.js';

/** The loopback address the gateway binds: never a name that could resolve elsewhere, never `0.0.0.0`. */
export const GATEWAY_HOST = '127.0.0.1';

export interface LocalGatewayOptions {
  store: Store;
  /** The runtime that judges tool calls, or a function returning the current one (read per call). */
  runtime: ActionRuntime | (() => ActionRuntime);
  /** The bearer token clients must send; a fresh random one when absent. At least 16 characters. */
  token?: string | undefined;
  /** 0 (default) picks a free port. */
  port?: number | undefined;
  /** How long a require_approval tool call is held for a person before "still pending, retry" (default 50). */
  holdSeconds?: number | undefined;
  /** A session with no request for this long is closed with its upstream (default 1800). */
  idleSeconds?: number | undefined;
  /** The largest request body accepted (default 4 MiB). */
  maxBodyBytes?: number | undefined;
  /** Upper bound on live sessions, each of which may run an upstream process (default 64). */
  maxSessions?: number | undefined;
  /** The actor tool calls are judged as (default `mcp-gateway`, as the stdio gateway). */
  actor?: string | undefined;
  /** The `environment` policy conditions see (default `production`, as the stdio gateway). */
  environment?: string | undefined;
  /** Upstream stderr lines and gateway events. */
  onLog?: UpstreamLog | undefined;
}

/** A running local gateway: `url` is the base (`http://127.0.0.1:PORT`); servers are at `${url}/mcp/<name>`. */
export interface LocalGateway {
  url: string;
  token: string;
  port: number;
  /** The endpoint of one configured server. */
  endpoint(server: string): string;
  /** Live sessions (for the console and tests). */
  sessions(): { id: string; server: string; idleMs: number; upstreamPid: number | undefined }[];
  close(): Promise<void>;
}

interface Session {
  id: string;
  server: string;
  config: McpServerConfig;
  transport: StreamableHTTPServerTransport;
  upstreamPid: () => number | undefined;
  /** Ends the session and its upstream connection. */
  close: () => Promise<void>;
  lastSeen: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = -32000,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

function sendError(res: ServerResponse, status: number, message: string, code = -32000, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** Reads a JSON body up to `limit` bytes; anything larger or unparsable is an HttpError. */
function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new HttpError(413, `request body over ${limit} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body over ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'request body is not JSON', -32700));
      }
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
      failed = true;
    });
  });
}

/** Whether any message in a body (one message or a batch) is `initialize`. */
const hasInitialize = (body: unknown): boolean => (Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body));

/**
 * Starts the local MCP gateway: one Streamable HTTP endpoint per configured server at
 * `/mcp/<server>`, each MCP session relayed to its own upstream connection through the policy
 * judge. Binds only `127.0.0.1`; every request must pass the Host, Origin and bearer-token checks.
 * Servers added, changed or removed in the store take effect without a restart.
 */
export async function startLocalGateway(opts: LocalGatewayOptions): Promise<LocalGateway> {
  const token = opts.token ?? newToken();
  if (token.length < 16) throw new Error('the gateway token must be at least 16 characters');
  const tokenOk = tokenChecker(token);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const maxSessions = opts.maxSessions ?? 64;
  const idleMs = (opts.idleSeconds ?? 1800) * 1000;
  const runtimeNow = typeof opts.runtime === 'function' ? opts.runtime : () => opts.runtime as ActionRuntime;
  const holdMs = opts.holdSeconds !== undefined ? Math.max(0, opts.holdSeconds * 1000) : undefined;
  const sessions = new Map<string, Session>();
  let starting = 0;
  let port = 0;
  let closing = false;

  const endSession = async (id: string): Promise<void> => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    await s.close().catch(() => undefined);
  };

  const openSession = async (name: string, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    if (!hasInitialize(body)) throw new HttpError(400, 'Bad Request: Mcp-Session-Id header is required');
    if (sessions.size + starting >= maxSessions) throw new HttpError(503, `too many sessions (${maxSessions})`);
    // Read the store now, not a cache: a server added a moment ago is already reachable.
    const config = await opts.store.servers.get(name);
    if (!config || !config.enabled) throw new HttpError(404, `no server named \`${name}\``);
    starting++;
    let upstream: Transport;
    let proxy: PolicyProxy | undefined;
    // Known before the client hears it, so approvals and grants can be bound to the session.
    const sessionId = randomUUID();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      onsessioninitialized: (id) => {
        sessions.set(id, { id, server: name, config, transport, upstreamPid: () => upstreamPid(upstream), close: async () => proxy?.close(), lastSeen: Date.now() });
      },
      // DELETE: forget the id before answering, so it is unknown the moment the client hears back.
      onsessionclosed: (id) => void sessions.delete(id),
    });
    try {
      upstream = upstreamTransport(config, opts.onLog);
      proxy = await startPolicyProxy({
        client: transport,
        upstream,
        judge: createPolicyJudge({
          runtime: runtimeNow(),
          serverName: name,
          sessionId,
          pins: opts.store.tools,
          ...(opts.actor !== undefined ? { actor: opts.actor } : {}),
          ...(opts.environment !== undefined ? { environment: opts.environment } : {}),
          ...(holdMs !== undefined ? { holdMs } : {}),
          log: (line) => opts.onLog?.(name, line),
        }),
        serverName: name,
        onClose: () => {
          if (transport.sessionId) sessions.delete(transport.sessionId);
        },
        log: (line) => opts.onLog?.(name, line),
      });
    } catch (e) {
      await transport.close().catch(() => undefined);
      throw new HttpError(502, `cannot start server \`${name}\`: ${e instanceof Error ? e.message : String(e)}`, -32603);
    } finally {
      starting--;
    }
    if (closing) {
      await proxy.close();
      throw new HttpError(503, 'the gateway is closing');
    }
    await transport.handleRequest(req, res, body);
    // An initialize that failed before a session id was issued leaves nothing behind.
    if (!transport.sessionId || !sessions.has(transport.sessionId)) await proxy.close();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refusal = refuse(req, port, tokenOk);
    if (refusal) {
      req.resume();
      return sendError(res, refusal.status, refusal.message, -32001, refusal.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
    }
    const path = new URL(req.url ?? '/', `http://${GATEWAY_HOST}`).pathname;
    const m = /^\/mcp\/([^/]+)\/?$/.exec(path);
    const name = m?.[1];
    if (!name || !SERVER_NAME_RE.test(name)) {
      req.resume();
      return sendError(res, 404, 'not found');
    }
    const method = req.method ?? '';
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      req.resume();
      return sendError(res, 405, `method ${method} not allowed`, -32000, { allow: 'GET, POST, DELETE' });
    }
    // Checked before the body is read or any upstream starts: a form post is never an MCP message.
    if (method === 'POST' && !/^application\/json[ \t]*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return sendError(res, 415, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const sid = req.headers['mcp-session-id'];
    const body = method === 'POST' ? await readJson(req, maxBody) : undefined;
    if (typeof sid !== 'string') {
      if (method !== 'POST') throw new HttpError(400, 'Bad Request: Mcp-Session-Id header is required');
      return openSession(name, req, res, body);
    }
    const session = sessions.get(sid);
    // A session belongs to one server: its id on another path is as unknown as a made-up one.
    if (!session || session.server !== name) throw new HttpError(404, 'Session not found', -32001);
    session.lastSeen = Date.now();
    await session.transport.handleRequest(req, res, body);
    session.lastSeen = Date.now();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Bad input never crashes the gateway: every failure is an HTTP error for that request only.
      if (e instanceof HttpError) sendError(res, e.status, e.message, e.code);
      else sendError(res, 500, `gateway error: ${e instanceof Error ? e.message : String(e)}`, -32603);
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, GATEWAY_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  // Sessions of a server that was removed, disabled or changed end at once: they must not keep
  // running an upstream the configuration no longer describes.
  const stopWatch = opts.store.changes.watch(
    (changes) => {
      const touched = new Set(changes.filter((c) => c.kind === 'server').map((c) => c.ref));
      for (const name of touched) {
        void opts.store.servers.get(name).then(
          (now) => {
            for (const s of [...sessions.values()]) {
              if (s.server === name && (!now || !now.enabled || now.updatedAt !== s.config.updatedAt)) void endSession(s.id);
            }
          },
          () => undefined,
        );
      }
    },
    { intervalMs: 100 },
  );
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const s of [...sessions.values()]) if (now - s.lastSeen > idleMs) void endSession(s.id);
  }, Math.min(60_000, Math.max(250, idleMs / 4)));
  sweeper.unref();

  const url = `http://${GATEWAY_HOST}:${port}`;
  return {
    url,
    token,
    port,
    endpoint: (s) => `${url}/mcp/${encodeURIComponent(s)}`,
    sessions: () => [...sessions.values()].map((s) => ({ id: s.id, server: s.server, idleMs: Date.now() - s.lastSeen, upstreamPid: s.upstreamPid() })),
    async close() {
      if (closing) return;
      closing = true;
      stopWatch();
      clearInterval(sweeper);
      await Promise.allSettled([...sessions.keys()].map(endSession));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // A session that finished initializing while the others were closing.
      await Promise.allSettled([...sessions.keys()].map(endSession));
    },
  };
}
