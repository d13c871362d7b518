import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { tempHome } from '../../helpers/temp.js';

export const ROOT = join(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/capfence.js');
export const EVERYTHING = realpathSync(join(ROOT, 'node_modules/.bin/mcp-server-everything'));
export const FILESYSTEM = realpathSync(join(ROOT, 'node_modules/.bin/mcp-server-filesystem'));
export const PINNED = join(ROOT, 'test/fixtures/mcp/pinned-server.mjs');
export const RAW = join(ROOT, 'test/fixtures/mcp/raw-server.mjs');
export const NODE = process.execPath;

/** Sources the gateway's tests run (their built output must be current); others need only exist. */
const WATCHED = ['main/mcp', 'main/cli', 'main/store', 'main/runtime', 'main/policy', 'shared/policy', 'shared/events', 'shared/py'];

function needsBuild(): boolean {
  let stale = false;
  const walk = (d: string, checkAge: boolean) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, checkAge || WATCHED.some((w) => relative(ROOT, p).startsWith(w)));
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = join(ROOT, 'dist/node', relative(ROOT, p)).replace(/\.ts$/, '.js');
        const mine = checkAge || WATCHED.some((w) => relative(ROOT, p).startsWith(w));
        if (!existsSync(out) || (mine && statSync(out).mtimeMs < statSync(p).mtimeMs)) stale = true;
      }
    }
  };
  walk(join(ROOT, 'main'), false);
  walk(join(ROOT, 'shared'), false);
  return stale;
}

/** Builds `dist/node` when a source these tests run is newer than its output (they spawn the built CLI). */
export function ensureBuilt(): void {
  if (!needsBuild()) return;
  // Test files run in parallel processes: one builds while the others wait (a folder is the lock).
  const lock = join(tmpdir(), 'capfence-mcp-test-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the longest build is left over from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited too long for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    // Another person's file may not typecheck at this moment: tsc still emits, and the files these
    // tests need are checked below.
    if (needsBuild()) spawnSync('npx', ['tsc', '-p', 'tsconfig.main.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (!existsSync(join(ROOT, 'dist/node/main/mcp/stdio-gateway.js'))) throw new Error('the build did not produce the gateway');
}

export interface TestEnv {
  home: string;
  db: string;
  env: Record<string, string | undefined>;
  policy: string;
}

const homes: string[] = [];

/** Removes every temp CAPFENCE_HOME this test file made (call in `afterAll`, after closing clients). */
export function removeTestEnvs(): void {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
}

/** A temp CAPFENCE_HOME with a policy file in it. */
export function testEnv(policyText: string, prefix = 'capfence-mcp-'): TestEnv {
  const t = tempHome(prefix);
  homes.push(t.home);
  const policy = join(t.home, 'policy.yaml');
  writeFileSync(policy, policyText);
  return { ...t, policy };
}

export interface GatewayClient {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  close: () => Promise<void>;
}

/** An SDK client connected to `capfence gateway ... <upstream>` over stdio. */
export async function connectGateway(
  t: TestEnv,
  upstream: readonly string[],
  opts: { flags?: readonly string[]; env?: Record<string, string>; capabilities?: ClientCapabilities; setup?: (c: Client) => void } = {},
): Promise<GatewayClient> {
  const transport = new StdioClientTransport({
    command: NODE,
    args: [BIN, 'gateway', '--policy', t.policy, '--db', t.db, ...(opts.flags ?? []), ...upstream],
    env: { ...(t.env as Record<string, string>), ...opts.env },
    stderr: 'pipe',
    maxBufferSize: 64 * 1024 * 1024,
  });
  let err = '';
  transport.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const client = new Client({ name: 'capfence-test', version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
  opts.setup?.(client);
  await client.connect(transport);
  return { client, transport, stderr: () => err, close: () => client.close() };
}

/** A direct SDK client to an upstream server (the baseline for byte-identical results). */
export async function connectDirect(command: readonly string[], env: Record<string, string | undefined> = process.env): Promise<Client> {
  const [cmd, ...args] = command;
  const transport = new StdioClientTransport({ command: cmd as string, args, env: env as Record<string, string>, stderr: 'ignore', maxBufferSize: 64 * 1024 * 1024 });
  const client = new Client({ name: 'capfence-test-direct', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** Runs the CLI as a separate process. */
export function cli(args: readonly string[], env: Record<string, string | undefined>, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, [BIN, ...args], { env: env as NodeJS.ProcessEnv, cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves when `check` holds, polling. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether a process id is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
