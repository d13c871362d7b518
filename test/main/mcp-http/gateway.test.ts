// Environment: node. A real SDK client over Streamable HTTP, the real gateway, a real
// server-everything child process over stdio, a real SQLite store in a temp folder.
import { request } from 'node:http';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { startLocalGateway, type LocalGateway } from '../../../main/mcp-http/gateway.js';
import { tempHome } from '../../helpers/temp.js';

const EVERYTHING = realpathSync(join(import.meta.dirname, '../../../node_modules/.bin/mcp-server-everything'));
const everything = (name: string) => ({ name, kind: 'stdio' as const, command: [process.execPath, EVERYTHING, 'stdio'] });

const POLICY = `
version: 1
deny:
  - capability: mcp.everything.echo
    contains: "launch codes"
require_approval:
  - capability: mcp.everything.echo
    contains: "needs a person"
allow:
  - mcp.everything.echo
  - mcp.everything.get-sum
  - mcp.late.echo
  - mcp.chained.echo
`;

let t: ReturnType<typeof tempHome>;
let store: Store;
let runtime: ActionRuntime;
let gw: LocalGateway;
const clients: Client[] = [];

async function connect(server: string, token = gw.token): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(gw.endpoint(server)), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** A raw request with headers fetch will not let us set (Host). */
function raw(opts: { path?: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: gw.port, path: opts.path ?? '/mcp/everything', method: opts.method ?? 'POST', headers: opts.headers ?? {} },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const mcpHeaders = () => ({
  host: `127.0.0.1:${gw.port}`,
  authorization: `Bearer ${gw.token}`,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
});

beforeAll(async () => {
  t = tempHome('capfence-gateway-');
  const policy = join(t.home, 'policy.yaml');
  writeFileSync(policy, POLICY);
  store = openStore(t.db, { env: t.env });
  runtime = ActionRuntime.fromPolicy(policy, { db: t.db, env: t.env });
  const added = await store.servers.upsert(everything('everything'));
  expect(added.ok).toBe(true);
  gw = await startLocalGateway({ store, runtime });
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await gw?.close();
  await runtime?.close();
  await store?.close();
});

describe('the local gateway', () => {
  it('binds 127.0.0.1 on an ephemeral port', () => {
    expect(gw.url).toBe(`http://127.0.0.1:${gw.port}`);
    expect(gw.port).toBeGreaterThan(0);
    expect(gw.token.length).toBeGreaterThanOrEqual(32);
  });

  it('lists tools and calls echo through the policy with an allow verdict, recording it', async () => {
    const client = await connect('everything');
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toContain('echo');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hello through the gateway' } });
    expect(JSON.stringify(result.content)).toContain('hello through the gateway');
    const entries = await store.audit.query({});
    expect(entries.some((e) => e.capability === 'mcp.everything.echo' && e.decision === 'allow')).toBe(true);
  });

  it('answers a denied call with the documented error, and never runs it', async () => {
    const client = await connect('everything');
    const denied = await client.callTool({ name: 'echo', arguments: { message: 'the launch codes are 0000' } }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(McpError);
    const e = denied as McpError;
    expect(e.code).toBe(-32000);
    expect(e.message).toContain('CapFence blocked this tool call');
    expect(e.data).toMatchObject({ decision: 'deny', capability: 'mcp.everything.echo', rule: 'deny[0]', reason: 'policy_deny' });
    expect(typeof (e.data as Record<string, unknown>)['risk_score']).toBe('number');
    // Not in the policy at all: denied by default.
    const unlisted = await client.callTool({ name: 'get-env', arguments: {} }).catch((x: unknown) => x);
    expect(unlisted).toBeInstanceOf(McpError);
    expect((unlisted as McpError).data).toMatchObject({ decision: 'deny', capability: 'mcp.everything.get-env' });
    // The session survives a deny.
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    expect(JSON.stringify(sum.content)).toContain('5');
  });

  it('holds a call that needs approval until a person approves it in another connection', async () => {
    const client = await connect('everything');
    const call = client.callTool({ name: 'echo', arguments: { message: 'this needs a person' } });
    const approver = openStore(t.db, { env: t.env });
    try {
      let pendingId = '';
      await expect
        .poll(async () => {
          const pending = await approver.approvals.list({ status: 'pending' });
          pendingId = pending.find((a) => a.capability === 'mcp.everything.echo')?.id ?? '';
          return pendingId;
        }, { timeout: 10_000 })
        .not.toBe('');
      const r = await approver.approvals.approve(pendingId, { by: 'tester' });
      expect(r.ok).toBe(true);
      expect(JSON.stringify((await call).content)).toContain('this needs a person');
    } finally {
      await approver.close();
    }
  });

  it('refuses a missing token and a wrong token with 401', async () => {
    const { authorization: _drop, ...noToken } = mcpHeaders();
    expect((await raw({ headers: noToken, body: INIT })).status).toBe(401);
    expect((await raw({ headers: { ...mcpHeaders(), authorization: `Bearer ${gw.token.slice(0, -1)}x` }, body: INIT })).status).toBe(401);
    expect((await raw({ headers: { ...mcpHeaders(), authorization: 'Basic Zm9vOmJhcg==' }, body: INIT })).status).toBe(401);
    // The SDK client with a wrong token cannot connect either.
    await expect(connect('everything', 'x'.repeat(43))).rejects.toThrow();
  });

  it('refuses a foreign Origin and rebinding Hosts with 403, even with the right token', async () => {
    expect((await raw({ headers: { ...mcpHeaders(), origin: 'https://evil.example' }, body: INIT })).status).toBe(403);
    expect((await raw({ headers: { ...mcpHeaders(), origin: `http://127.0.0.1:${gw.port + 1}` }, body: INIT })).status).toBe(403);
    expect((await raw({ headers: { ...mcpHeaders(), origin: 'null' }, body: INIT })).status).toBe(403);
    expect((await raw({ headers: { ...mcpHeaders(), host: `evil.example:${gw.port}` }, body: INIT })).status).toBe(403);
    expect((await raw({ headers: { ...mcpHeaders(), host: `127.0.0.1:${gw.port + 1}` }, body: INIT })).status).toBe(403);
    // A same-origin page is fine.
    const ok = await raw({ headers: { ...mcpHeaders(), origin: `http://localhost:${gw.port}`, host: `localhost:${gw.port}` }, body: INIT });
    expect(ok.status).toBe(200);
  });

  it('answers unknown servers and paths with 404, bad bodies with 4xx, and keeps serving', async () => {
    expect((await raw({ path: '/mcp/nope', headers: mcpHeaders(), body: INIT })).status).toBe(404);
    expect((await raw({ path: '/', headers: mcpHeaders(), body: INIT })).status).toBe(404);
    expect((await raw({ path: '/mcp/../etc', headers: mcpHeaders(), body: INIT })).status).toBe(404);
    expect((await raw({ headers: mcpHeaders(), body: '{not json' })).status).toBe(400);
    expect((await raw({ headers: mcpHeaders(), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })).status).toBe(400);
    expect((await raw({ headers: { ...mcpHeaders(), 'mcp-session-id': 'made-up' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })).status).toBe(404);
    expect((await raw({ headers: mcpHeaders(), body: JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }) })).status).toBe(413);
    expect((await raw({ method: 'PUT', headers: mcpHeaders(), body: INIT })).status).toBe(405);
    expect((await raw({ headers: { ...mcpHeaders(), 'content-type': 'text/plain' }, body: INIT })).status).toBe(415);
    const client = await connect('everything');
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('serves a server added to the store without a restart, and stops serving a removed one', async () => {
    await expect(connect('late')).rejects.toThrow();
    expect((await store.servers.upsert(everything('late'))).ok).toBe(true);
    const client = await connect('late');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'late arrival' } });
    expect(JSON.stringify(result.content)).toContain('late arrival');
    expect(gw.sessions().some((s) => s.server === 'late')).toBe(true);
    expect(await store.servers.remove('late')).toBe(true);
    await expect.poll(() => gw.sessions().some((s) => s.server === 'late'), { timeout: 5000 }).toBe(false);
    await expect(client.listTools()).rejects.toThrow();
  });

  it('survives upstreams that cannot start or die at once, answering an error', async () => {
    expect((await store.servers.upsert({ name: 'missing', kind: 'stdio', command: [join(t.home, 'no-such-program')] })).ok).toBe(true);
    const missing = await raw({ path: '/mcp/missing', headers: mcpHeaders(), body: INIT });
    expect(missing.status).toBe(502);
    expect(missing.body).toContain('cannot start server `missing`');
    expect((await store.servers.upsert({ name: 'dies', kind: 'stdio', command: [process.execPath, '-e', 'process.exit(3)'] })).ok).toBe(true);
    await expect(connect('dies')).rejects.toThrow();
    await expect.poll(() => gw.sessions().filter((s) => s.server === 'dies' || s.server === 'missing').length, { timeout: 5000 }).toBe(0);
    const client = await connect('everything');
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('ends a session and its upstream on DELETE', async () => {
    const client = await connect('everything');
    const transport = client.transport as StreamableHTTPClientTransport;
    const id = transport.sessionId as string;
    const pid = gw.sessions().find((s) => s.id === id)?.upstreamPid;
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid as number, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    await transport.terminateSession();
    expect(gw.sessions().some((s) => s.id === id)).toBe(false);
    await expect.poll(alive, { timeout: 5000 }).toBe(false);
  });

  it('fronts a remote Streamable HTTP server, sending its configured headers', async () => {
    // The remote is this gateway's own `everything` endpoint: it demands the bearer header.
    expect((await store.servers.upsert({ name: 'chained', kind: 'http', url: gw.endpoint('everything'), headers: { Authorization: `Bearer ${gw.token}` } })).ok).toBe(true);
    const before = gw.sessions().filter((s) => s.server === 'everything').length;
    const client = await connect('chained');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'twice judged' } });
    expect(JSON.stringify(result.content)).toContain('twice judged');
    expect(gw.sessions().filter((s) => s.server === 'everything').length).toBe(before + 1);
    const blocked = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }).catch((e: unknown) => e);
    expect((blocked as McpError).data).toMatchObject({ capability: 'mcp.chained.get-sum', decision: 'deny' });
    // Ending the outer session ends the remote one too (DELETE upstream).
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await expect.poll(() => gw.sessions().filter((s) => s.server === 'everything').length, { timeout: 5000 }).toBe(before);
  });
});

describe('idle sessions', () => {
  it('closes a session and its upstream after the idle timeout', async () => {
    const idle = await startLocalGateway({ store, runtime, idleSeconds: 0.5 });
    try {
      const client = new Client({ name: 'idle', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(idle.endpoint('everything')), { requestInit: { headers: { authorization: `Bearer ${idle.token}` } } }));
      clients.push(client);
      expect(idle.sessions()).toHaveLength(1);
      await expect.poll(() => idle.sessions().length, { timeout: 5000 }).toBe(0);
      await expect(client.listTools()).rejects.toThrow();
    } finally {
      await idle.close();
    }
  });

  it('refuses a short token and binds only 127.0.0.1', async () => {
    await expect(startLocalGateway({ store, runtime, token: 'short' })).rejects.toThrow('at least 16');
    const fixed = await startLocalGateway({ store, runtime, token: 'a-fixed-token-for-tests' });
    try {
      expect(fixed.token).toBe('a-fixed-token-for-tests');
      expect(fixed.url.startsWith('http://127.0.0.1:')).toBe(true);
    } finally {
      await fixed.close();
    }
  });
});
