// Environment: node. `capfence serve` in-process and as a real process (the built CLI), with a
// real server-everything upstream and a real SDK client.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { runServe } from '../../../main/cli/commands/serve.js';
import { memoryIo } from '../../../main/cli/io.js';
import { runCli } from '../../../main/cli/main.js';
import { DIST, tempHome } from '../../helpers/temp.js';

const EVERYTHING = realpathSync(join(import.meta.dirname, '../../../node_modules/.bin/mcp-server-everything'));
const BIN = join(import.meta.dirname, '../../../bin/capfence.js');
const POLICY = 'version: 1\nallow:\n  - mcp.everything.echo\n';

function setup() {
  const t = tempHome('capfence-serve-');
  const policy = join(t.home, 'policy.yaml');
  writeFileSync(policy, POLICY);
  return { ...t, policy };
}

async function echoThrough(url: string, token: string): Promise<string> {
  const client = new Client({ name: 'serve-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp/everything`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  try {
    const r = await client.callTool({ name: 'echo', arguments: { message: 'served' } });
    return JSON.stringify(r.content);
  } finally {
    await client.close();
  }
}

describe('capfence serve', () => {
  it('serves configured servers, keeps the token in a 0600 file and out of the output, and stops cleanly', async () => {
    const t = setup();
    const io = memoryIo(t.home, t.env);
    expect(await runCli(['servers', 'add', 'everything', '--db', t.db, '--', process.execPath, EVERYTHING, 'stdio'], memoryIo(t.home, t.env))).toBe(0);
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const exit = runServe(['--policy', t.policy, '--db', t.db], io, () => stopped);
    await expect.poll(() => io.out(), { timeout: 10_000 }).toContain('Press Ctrl+C');
    const url = /CapFence gateway: (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1] as string;
    const tokenFile = join(t.home, 'gateway.token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (process.platform !== 'win32') expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(io.out()).toContain(`Token: in ${tokenFile}`);
    expect(io.out()).toContain(`  everything: ${url}/mcp/everything`);
    expect(io.out() + io.err()).not.toContain(token);
    expect(await echoThrough(url, token)).toContain('served');
    stop();
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/mcp/everything`)).rejects.toThrow();
  });

  it('applies a saved policy without a restart, and keeps the last valid one when the new text is broken', async () => {
    const t = setup();
    const io = memoryIo(t.home, t.env);
    expect(await runCli(['servers', 'add', 'everything', '--db', t.db, '--', process.execPath, EVERYTHING, 'stdio'], memoryIo(t.home, t.env))).toBe(0);
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const exit = runServe(['--policy', t.policy, '--db', t.db], io, () => stopped);
    await expect.poll(() => io.out(), { timeout: 10_000 }).toContain('Press Ctrl+C');
    const url = /CapFence gateway: (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1] as string;
    const token = readFileSync(join(t.home, 'gateway.token'), 'utf8').trim();
    expect(await echoThrough(url, token)).toContain('served');
    writeFileSync(t.policy, 'version: 1\ndeny:\n  - mcp.everything.echo\n');
    await expect.poll(() => echoThrough(url, token).catch((e: Error) => e.message), { timeout: 10_000, interval: 200 }).toContain('CapFence blocked this tool call');
    writeFileSync(t.policy, 'version: 1\nallow:\n  - capability: mcp.everything.echo\n    amout_gt: 5\n');
    await expect.poll(() => io.err(), { timeout: 10_000 }).toContain('amout_gt');
    await expect(echoThrough(url, token)).rejects.toThrow('CapFence blocked this tool call');
    stop();
    expect(await exit).toBe(0);
  });

  it('reuses the token across restarts, prints it only when asked, and validates its options', async () => {
    const t = setup();
    const tokenFile = join(t.home, 'custom', 'tok');
    const first = memoryIo(t.home, t.env);
    const run = (io: ReturnType<typeof memoryIo>, extra: string[]) => runServe(['--policy', t.policy, '--db', t.db, '--token-file', tokenFile, ...extra], io, async () => undefined);
    expect(await run(first, ['--print-token'])).toBe(0);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(first.out()).toContain(`Token: ${token}`);
    const second = memoryIo(t.home, t.env);
    expect(await run(second, [])).toBe(0);
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(second.out()).not.toContain(token);

    const bad = memoryIo(t.home, t.env);
    expect(await runCli(['serve', '--db', t.db], bad)).toBe(2);
    expect(bad.err()).toContain('`--policy` is required');
    expect(await runCli(['serve', '--policy', t.policy, '--port', '70000'], memoryIo(t.home, t.env))).toBe(2);
    writeFileSync(join(t.home, 'broken.yaml'), 'version: 1\nallow:\n  - capability: x\n    amout_gt: 3\n');
    const broken = memoryIo(t.home, t.env);
    expect(await runCli(['serve', '--policy', join(t.home, 'broken.yaml'), '--db', t.db], broken)).toBe(2);
    expect(broken.err()).toContain('amout_gt');
  });

  it('runs as a process and exits 0 on SIGTERM', async () => {
    expect(existsSync(join(DIST, 'main/cli/commands/serve.js')), 'build first: npx tsc -p tsconfig.main.build.json').toBe(true);
    const t = setup();
    expect(await runCli(['servers', 'add', 'everything', '--db', t.db, '--', process.execPath, EVERYTHING, 'stdio'], memoryIo(t.home, t.env))).toBe(0);
    const child = spawn(process.execPath, [BIN, 'serve', '--policy', t.policy, '--db', t.db], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await expect.poll(() => out, { timeout: 15_000 }).toContain('Press Ctrl+C');
    const url = /CapFence gateway: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
    expect(await echoThrough(url, readFileSync(join(t.home, 'gateway.token'), 'utf8').trim())).toContain('served');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('CapFence gateway stopped.');
  });
});
