// Environment: node. The loopback console server: static files, and the WebSocket bridge with a real
// `ws` client, the renderer's own transport and client, and agents in separate processes.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createConsoleApi } from '../../../shared/ipc/client.js';
import type { ConsoleApi } from '../../../shared/ipc/contract.js';
import { consoleCsp, resolveStatic, startConsoleServer, tokenMatches, type ConsoleServer } from '../../../main/console/server.js';
import { createWsTransport, type SocketLike, type WsTransport } from '../../../renderer/api/ws-transport.js';
import { DIST } from '../../helpers/temp.js';
import { harness, transfer, WORKERS, type Harness } from './helpers.js';

let staticDir: string;
beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'capfence-static-'));
  staticDir = join(root, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>CapFence</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(staticDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'TOP SECRET');
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ h: Harness; server: ConsoleServer }> {
  const h = harness();
  cleanups.push(() => h.close());
  const server = await startConsoleServer({ service: h.service, staticDir });
  cleanups.push(() => server.close());
  return { h, server };
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a raw socket; resolves with it, or with the HTTP status the upgrade was refused with. */
function connect(url: string, opts: { origin?: string; host?: string } = {}): Promise<{ ws: WebSocket; status?: undefined } | { ws?: undefined; status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...(opts.origin ? { origin: opts.origin } : {}), ...(opts.host ? { headers: { host: opts.host } } : {}) });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

const bridge = (s: ConsoleServer, token = s.token) => `ws://127.0.0.1:${s.port}/ws?token=${encodeURIComponent(token)}`;
const origin = (s: ConsoleServer) => `http://127.0.0.1:${s.port}`;

/** Collects the frames a raw socket receives. */
function frames(ws: WebSocket): { all: Record<string, unknown>[]; next(pred: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> } {
  const all: Record<string, unknown>[] = [];
  ws.on('message', (d) => all.push(JSON.parse(d.toString()) as Record<string, unknown>));
  return {
    all,
    next: (pred) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          const hit = all.find(pred);
          if (hit) return resolve(hit);
          if (Date.now() - started > 3000) return reject(new Error('no such frame'));
          setTimeout(tick, 5);
        };
        tick();
      }),
  };
}

/** The renderer's path: its WebSocket transport (with `ws` as the socket) and the validating client. */
function rendererApi(s: ConsoleServer): { api: ConsoleApi; transport: WsTransport } {
  const transport = createWsTransport({ url: bridge(s), connect: (u) => new WebSocket(u, { origin: origin(s) }) as unknown as SocketLike });
  cleanups.push(() => transport.close());
  return { api: createConsoleApi(transport), transport };
}

describe('static renderer', () => {
  it('serves files with MIME types, the strict CSP and no traversal', async () => {
    const { server } = await setup();
    const index = await get(server.port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${server.port}; font-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
    );
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(server.port, '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(server.port, '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(server.port, '/assets/missing.js')).status).toBe(404);
    expect((await get(server.port, '/approvals')).body).toContain('<title>CapFence</title>');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt', '/%00index.html']) {
      const r = await get(server.port, path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain('TOP SECRET');
    }
    expect((await get(server.port, '/', { host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('resolves paths inside the root only and compares tokens in constant time', () => {
    expect(resolveStatic('/srv/app', '/')).toBe('/srv/app/index.html');
    expect(resolveStatic('/srv/app', '/a/b.js')).toBe('/srv/app/a/b.js');
    expect(resolveStatic('/srv/app', '/../x')).toBeNull();
    expect(resolveStatic('/srv/app', '/%2e%2e/x')).toBeNull();
    expect(resolveStatic('/srv/app', '/%E0%A4%A')).toBeNull();
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
    expect(consoleCsp(1)).toContain("frame-ancestors 'none'");
  });

  it('binds the loopback address only', async () => {
    const h = harness();
    cleanups.push(() => h.close());
    await expect(startConsoleServer({ service: h.service, staticDir, host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(/127\.0\.0\.1/);
  });
});

describe('WebSocket bridge', () => {
  it('refuses a missing or wrong token, a foreign Origin and a rebinding Host', async () => {
    const { server } = await setup();
    expect((await connect(`ws://127.0.0.1:${server.port}/ws`, { origin: origin(server) })).status).toBe(401);
    expect((await connect(bridge(server, 'wrong-token'), { origin: origin(server) })).status).toBe(401);
    expect((await connect(bridge(server, `${server.token}x`), { origin: origin(server) })).status).toBe(401);
    expect((await connect(bridge(server), { origin: 'http://evil.example' })).status).toBe(403);
    expect((await connect(bridge(server), { origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await connect(bridge(server))).status).toBe(403);
    expect((await connect(bridge(server), { origin: origin(server), host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, { origin: origin(server) })).status).toBe(404);
    const ok = await connect(bridge(server), { origin: `http://localhost:${server.port}`, host: `localhost:${server.port}` });
    expect(ok.ws).toBeDefined();
    ok.ws?.close();
  });

  it('answers malformed frames with errors and keeps serving', async () => {
    const { server } = await setup();
    const { ws } = await connect(bridge(server), { origin: origin(server) });
    if (!ws) throw new Error('not connected');
    cleanups.push(() => ws.terminate());
    const f = frames(ws);
    ws.send('not json');
    ws.send('[1,2]');
    ws.send(JSON.stringify({ t: 'req', id: 7, channel: 'shell:exec', payload: {} }));
    ws.send(JSON.stringify({ t: 'req', id: 8, channel: 'approvals:approve', payload: { ids: 'x' } }));
    ws.send(JSON.stringify({ t: 'res', id: 9, result: {} }));
    ws.send(JSON.stringify({ t: 'req', channel: 'session:info' }));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ t: 'req', id: 10, channel: 'approvals:list', payload: { status: 'all', limit: 1e12 } }));
    ws.send(JSON.stringify({ t: 'req', id: 11, channel: 'session:info', payload: { '__proto__': { polluted: true } } }));
    const last = await f.next((x) => x['id'] === 11);
    expect(last).toMatchObject({ t: 'res', result: { ok: true, value: { user: 'alice' } } });
    const errors = f.all.filter((x) => x['t'] === 'res' && (x['result'] as { ok: boolean }).ok === false);
    expect(errors.length).toBe(8);
    for (const e of errors) expect(e['result']).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // Parse failures are answered at once, handler refusals when the handler finishes.
    expect(errors.map((e) => String(e['id'])).sort()).toEqual(['10', '7', '8', '9', 'null', 'null', 'null', 'null']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('closes a socket that sends an oversized frame, and the server lives on', async () => {
    const h = harness();
    cleanups.push(() => h.close());
    const server = await startConsoleServer({ service: h.service, staticDir, maxFrameBytes: 1024 * 1024 });
    cleanups.push(() => server.close());
    const { ws } = await connect(bridge(server), { origin: origin(server) });
    if (!ws) throw new Error('not connected');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    const again = await connect(bridge(server), { origin: origin(server) });
    expect(again.ws).toBeDefined();
    again.ws?.close();
  });

  it('round-trips requests through the renderer transport and validating client', async () => {
    const { h, server } = await setup();
    const { api, transport } = rendererApi(server);
    const info = await api['session:info']({});
    expect(info).toMatchObject({ ok: true, value: { user: 'alice', transport: 'websocket', dbPath: h.t.db } });
    expect(transport.status).toBe('open');
    const bad = await api['grants:revoke']({ id: 'missing' });
    expect(bad).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'grant `missing` not found' } });
    const pending = (await h.runtime.execute(transfer(5000))).approvalId as string;
    const seen = new Promise<string[]>((resolve) => {
      const off = api.on('approvals:changed', (p) => {
        if (p.approvals.some((a) => a.status === 'approved')) {
          off();
          resolve(p.approvals.map((a) => `${a.id}:${a.status}`));
        }
      });
    });
    const r = await api['approvals:approve']({ ids: [pending], reason: 'ok' });
    expect(r.ok && r.value[0]?.approval?.status).toBe('approved');
    expect(await seen).toEqual([`${pending}:approved`]);
  });

  it('the renderer transport reconnects after the server restarts, failing in-flight requests and sending queued ones', async () => {
    const { h, server } = await setup();
    const { api, transport } = rendererApi(server);
    expect((await api['session:info']({})).ok).toBe(true);
    const statuses: string[] = [];
    transport.onStatus((s) => statuses.push(s));
    await server.close();
    await vi.waitFor(() => expect(transport.status).not.toBe('open'), { timeout: 2000, interval: 10 });
    // Asked while disconnected: queued, sent once the bridge is back.
    const queued = api['session:info']({});
    const again = await startConsoleServer({ service: h.service, staticDir, port: server.port, token: server.token });
    cleanups.push(() => again.close());
    expect(await queued).toMatchObject({ ok: true, value: { user: 'alice' } });
    expect(transport.status).toBe('open');
    expect(statuses).toContain('closed');
    expect(statuses.at(-1)).toBe('open');
  });

  it('pushes an approval created by an agent in another process within 200 ms', async () => {
    const { h, server } = await setup();
    const { api } = rendererApi(server);
    expect((await api['session:info']({})).ok).toBe(true);
    const arrived = new Promise<{ at: number; createdAt: number; id: string }>((resolve) => {
      api.on('approvals:changed', (p) => {
        const a = p.approvals.find((x) => x.actor === 'agent-proc' && x.status === 'pending');
        if (a) resolve({ at: Date.now(), createdAt: a.createdAt, id: a.id });
      });
    });
    const child = spawn(process.execPath, [join(WORKERS, 'console-agent.mjs'), DIST, h.t.db, h.policyPath, 'request', '5000'], { env: h.t.env, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => void child.kill());
    const got = await arrived;
    const latency = got.at - got.createdAt * 1000;
    console.log(`approval from another process pushed over the WebSocket after ${latency.toFixed(1)} ms`);
    expect(latency).toBeLessThan(200);
    expect((await h.store.approvals.get(got.id))?.status).toBe('pending');
  });

  it('a decision made over the socket releases an agent waiting in another process', async () => {
    const { h, server } = await setup();
    const { api } = rendererApi(server);
    expect((await api['session:info']({})).ok).toBe(true);
    const pending = new Promise<string>((resolve) => {
      api.on('approvals:changed', (p) => {
        const a = p.approvals.find((x) => x.actor === 'agent-proc' && x.status === 'pending');
        if (a) resolve(a.id);
      });
    });
    const child = spawn(process.execPath, [join(WORKERS, 'console-agent.mjs'), DIST, h.t.db, h.policyPath, 'wait', '7000', '10000'], { env: h.t.env, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => void child.kill());
    const lines = createInterface({ input: child.stdout });
    const verdict = new Promise<{ at: number; decision: string; approver: string | null }>((resolve) => {
      lines.on('line', (l) => {
        const v = JSON.parse(l) as { phase: string; at: number; decision: string; approver: string | null };
        if (v.phase === 'verdict') resolve(v);
      });
    });
    const id = await pending;
    const decidedAt = Date.now();
    const r = await api['approvals:approve']({ ids: [id], reason: 'go' });
    expect(r.ok).toBe(true);
    const v = await verdict;
    const latency = v.at - decidedAt;
    console.log(`decision over the WebSocket released the waiting agent after ${latency} ms`);
    expect(v).toMatchObject({ decision: 'allow', approver: 'alice' });
    expect(latency).toBeLessThan(1000);
  });
});
