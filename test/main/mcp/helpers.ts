import { execFile } from 'node:child_process';
import { realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { ensureBuilt as ensureBuiltFiles } from '../../helpers/build.js';
import { tempHome } from '../../helpers/temp.js';

export const ROOT = join(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/capfence.js');
export const EVERYTHING = realpathSync(join(ROOT, 'node_modules/.bin/mcp-server-everything'));
export const FILESYSTEM = realpathSync(join(ROOT, 'node_modules/.bin/mcp-server-filesystem'));
export const PINNED = join(ROOT, 'test/fixtures/mcp/pinned-server.mjs');
export const RAW = join(ROOT, 'test/fixtures/mcp/raw-server.mjs');
export const NODE = process.execPath;

/** Builds what the gateway's tests run (they spawn the built CLI). */
export const ensureBuilt = (): void => ensureBuiltFiles(['dist/node/main/cli/main.js', 'dist/node/main/mcp/stdio-gateway.js']);

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
