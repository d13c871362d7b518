import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/*
 * Real processes for the end-to-end tests: the built `capfence` CLI (console, gateway, grant) and
 * server-everything, each in its own process, sharing one store in a temp CAPFENCE_HOME.
 */

export const ROOT = join(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/capfence.js');
export const NODE = process.execPath;
/** server-everything's entry script (the `.bin` link resolved, so it runs without a shell). */
export const EVERYTHING = realpathSync(join(ROOT, 'node_modules/.bin/mcp-server-everything'));

/** A temp CAPFENCE_HOME with a policy file and a store path in it. */
export interface CapfenceHome {
  home: string;
  policyPath: string;
  dbPath: string;
  env: Record<string, string>;
  remove(): void;
}

/** Creates a fresh home under the OS temp dir with `policyText` as its policy. */
export function makeHome(policyText: string): CapfenceHome {
  if (!existsSync(join(ROOT, 'dist/node/main/cli/main.js')) || !existsSync(join(ROOT, 'dist/renderer/index.html'))) {
    throw new Error('capfence is not built: run `npm run build` before the end-to-end tests');
  }
  const home = mkdtempSync(join(tmpdir(), 'capfence-e2e-'));
  const policyPath = join(home, 'policy.yaml');
  writeFileSync(policyPath, policyText);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env['CAPFENCE_HOME'] = home;
  return { home, policyPath, dbPath: join(home, 'capfence.db'), env, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** Ends a child process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A running `capfence console`. */
export interface ConsoleProcess {
  /** The URL it printed, with `#token=…`. */
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `capfence console --no-open --port 0` on the home's policy and store; resolves once it prints its URL. */
export async function startConsole(h: CapfenceHome, timeoutMs = 20_000): Promise<ConsoleProcess> {
  const child = spawn(NODE, [BIN, 'console', '--no-open', '--port', '0', '--policy', h.policyPath, '--db', h.dbPath], {
    cwd: ROOT,
    env: h.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`capfence console printed no URL within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /CapFence console: (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => fail(new Error(`capfence console exited (${code ?? signal}) before printing its URL:\n${out}`)));
    child.once('error', fail);
  });
  return { url, pid: child.pid as number, output: () => out, stop: () => stopProcess(child) };
}

/** An SDK client talking to `capfence gateway … -- mcp-server-everything stdio`. */
export interface GatewayClient {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

/** Spawns the stdio gateway in front of server-everything (server name `everything`) and connects a real MCP client. */
export async function connectGateway(h: CapfenceHome, opts: { agentId?: string; flags?: readonly string[] } = {}): Promise<GatewayClient> {
  const transport = new StdioClientTransport({
    command: NODE,
    args: [BIN, 'gateway', '--policy', h.policyPath, '--db', h.dbPath, '--server-name', 'everything', ...(opts.agentId ? ['--agent-id', opts.agentId] : []), ...(opts.flags ?? []), '--', NODE, EVERYTHING, 'stdio'],
    env: h.env,
    cwd: ROOT,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const client = new Client({ name: 'capfence-e2e', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

/** Runs the CLI in its own process against the home's store. */
export function cli(h: CapfenceHome, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, [BIN, ...args, '--db', h.dbPath], { cwd: ROOT, env: h.env }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Observes a promise's outcome at once, so a rejection before the test awaits it is not "unhandled". */
export function settle<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
