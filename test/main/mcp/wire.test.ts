// Environment: node. The built gateway as a child process spoken to byte by byte: malformed and
// oversized lines from the client and from a misbehaving upstream, a 10 MB result, an upstream
// crash with calls in flight, and a client that disconnects from a server that will not exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, BIN, connectGateway, ensureBuilt, NODE, PINNED, RAW, removeTestEnvs, testEnv, until, type TestEnv } from './helpers.js';

const POLICY = `
version: 1
allow:
  - mcp.raw
  - mcp.pinned
`;

type Msg = { id?: string | number; result?: unknown; error?: { code: number; message: string; data?: unknown }; method?: string };

/** The gateway with a raw NDJSON client on its stdio. */
class RawGateway {
  readonly proc: ChildProcess;
  readonly received: Msg[] = [];
  stderr = '';
  private buf = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(t: TestEnv, upstreamEnv: Record<string, string> = {}) {
    this.proc = spawn(NODE, [BIN, 'gateway', '--policy', t.policy, '--db', t.db, '--server-name', 'raw', NODE, RAW], {
      env: { ...t.env, ...upstreamEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((r) => this.proc.once('exit', (code, signal) => r({ code, signal })));
    this.proc.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.proc.stdout?.on('data', (c: Buffer) => {
      this.buf += c.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        if (line.trim()) this.received.push(JSON.parse(line) as Msg);
      }
    });
  }

  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.proc.stdin?.write(text, (e) => (e ? reject(e) : resolve())));
  }

  send(m: object): Promise<void> {
    return this.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  }

  async reply(id: string | number, timeoutMs = 10_000): Promise<Msg> {
    await until(() => this.received.some((m) => m.id === id && !m.method), timeoutMs, `a reply to ${JSON.stringify(id)}`);
    return this.received.find((m) => m.id === id && !m.method) as Msg;
  }

  async initialize(): Promise<void> {
    await this.send({ id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-client', version: '1' } } });
    await this.reply(0);
    await this.send({ method: 'notifications/initialized' });
  }

  call(id: string | number, name: string, args: object = {}): Promise<void> {
    return this.send({ id, method: 'tools/call', params: { name, arguments: args } });
  }
}

let t: TestEnv;
beforeAll(() => {
  ensureBuilt();
  t = testEnv(POLICY);
}, 60_000);

const gateways: RawGateway[] = [];
afterAll(async () => {
  for (const g of gateways) if (g.proc.exitCode === null) g.proc.kill('SIGKILL');
  await Promise.all(gateways.map((g) => g.exited));
  removeTestEnvs();
});

describe('malformed input', () => {
  it('answers garbage and oversized lines from the client with JSON-RPC errors and stays up', async () => {
    const g = new RawGateway(t);
    gateways.push(g);
    await g.initialize();
    await g.write('this is not json\n');
    await g.write('{"jsonrpc":"2.0","id":7,"method":"tools/call",\n');
    expect((await g.reply(7)).error).toMatchObject({ code: -32700 });
    await g.write('{"jsonrpc":"2.0","id":8,"method":5}\n');
    expect((await g.reply(8)).error).toMatchObject({ code: -32600 });
    await g.send({ id: 9, method: 'tools/call', params: { name: 'ok', arguments: { pad: 'z'.repeat(65 * 1024 * 1024) } } });
    const big = await g.reply(9, 20_000);
    expect(big.error?.code).toBe(-32600);
    expect(big.error?.message).toContain('exceeds');
    await g.call(10, 'ok');
    expect((await g.reply(10)).result).toEqual({ content: [{ type: 'text', text: 'ok' }] });

    // Tool calls that cannot be judged are never forwarded: without an id, in the original's other
    // spellings, or inside a batch.
    await g.send({ method: 'tools/call', params: { name: 'ok' } });
    await g.send({ id: 30, method: 'call_tool', params: { name: 'ok' } });
    expect((await g.reply(30)).error?.code).toBe(-32601);
    await g.write(`${JSON.stringify([{ jsonrpc: '2.0', id: 31, method: 'tools/call', params: { name: 'ok' } }, { jsonrpc: '2.0', method: 'notifications/x' }])}\n`);
    expect((await g.reply(31)).error?.code).toBe(-32600);
    await g.call(32, 'received');
    const upstreamSaw = JSON.parse(((await g.reply(32)).result as { content: { text: string }[] }).content[0]?.text ?? '[]') as Msg[];
    expect(upstreamSaw.filter((m) => m.method === 'tools/call').map((m) => m.id)).toEqual([10, 32]);
    expect(upstreamSaw.some((m) => m.method === 'call_tool' || m.method === 'notifications/x')).toBe(false);
    expect(g.received.filter((m) => m.error).map((m) => m.id)).toEqual([7, 8, 9, 30, 31]);
  }, 40_000);

  it('turns garbage and oversized lines from the upstream into errors for the waiting call and answers its bad requests', async () => {
    const g = new RawGateway(t);
    gateways.push(g);
    await g.initialize();
    await g.call(11, 'garbage');
    const bad = await g.reply(11);
    expect(bad.error?.code).toBe(-32603);
    expect(bad.error?.message).toContain('invalid response');
    await g.call(12, 'huge');
    const huge = await g.reply(12, 20_000);
    expect(huge.error?.message).toContain('exceeds');
    await g.call(13, 'received');
    const seen = JSON.parse(((await g.reply(13)).result as { content: { text: string }[] }).content[0]?.text ?? '[]') as Msg[];
    // The upstream's malformed request (`method: 42`, id `srv-1`) was answered with -32600.
    expect(seen.find((m) => m.id === 'srv-1')?.error?.code).toBe(-32600);
    expect(g.received.some((m) => m.id === 'srv-1')).toBe(false);
  }, 40_000);

  it('passes a 10 MB result through', async () => {
    const gw = await connectGateway(t, [NODE, PINNED], { flags: ['--server-name', 'pinned'] });
    try {
      const r = await gw.client.callTool({ name: 'big', arguments: { bytes: 10_000_000 } });
      const text = (r.content as { text: string }[])[0]?.text ?? '';
      expect(text.length).toBe(10_000_000);
      expect(/^x+$/.test(text)).toBe(true);
    } finally {
      await gw.close();
    }
  }, 30_000);
});

describe('process lifecycle', () => {
  it('answers every call in flight when the upstream crashes, then exits', async () => {
    const g = new RawGateway(t);
    gateways.push(g);
    await g.initialize();
    await g.call(20, 'ok');
    await g.reply(20);
    await g.call(21, 'slow');
    await g.call(22, 'crash');
    const [slow, crash] = await Promise.all([g.reply(21), g.reply(22)]);
    expect(slow.error?.message).toContain('exited');
    expect(crash.error?.message).toContain('exited');
    const exit = await g.exited;
    expect(exit.code).toBe(1);
  }, 20_000);

  it('terminates the upstream when the client disconnects, even one that ignores the end of its input', async () => {
    const pidFile = join(t.home, 'upstream.pid');
    const g = new RawGateway(t, { PID_FILE: pidFile, IGNORE_EOF: '1' });
    gateways.push(g);
    await g.initialize();
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    g.proc.stdin?.end();
    const exit = await g.exited;
    expect(exit.code).toBe(0);
    await until(() => !alive(pid), 5000, 'the upstream to be gone');
  }, 20_000);

  it('stops the upstream when the gateway itself is told to stop (SIGTERM)', async () => {
    const pidFile = join(t.home, 'upstream-term.pid');
    const g = new RawGateway(t, { PID_FILE: pidFile, IGNORE_EOF: '1' });
    gateways.push(g);
    await g.initialize();
    const pid = Number(readFileSync(pidFile, 'utf8'));
    g.proc.kill('SIGTERM');
    const exit = await g.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    await until(() => !alive(pid), 5000, 'the upstream to be gone');
  }, 20_000);
});
