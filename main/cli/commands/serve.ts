import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bool, num, parseArgs, str, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode, type CliIo } from '../io.js';
import { DB_FLAGS, dbPathOf } from '../store-option.js';
import { capfenceHome } from '../../paths.js';
import { loadPolicyForRuntime, PolicyLoadError } from '../../policy/load-policy.js';
import { ActionRuntime } from '../../runtime/action-runtime.js';
import { StoreBackend } from '../../runtime/store-backend.js';
import { GroupCommitBackend } from '../../runtime/group-commit-backend.js';
import { openStore } from '../../store/store.js';
import { startLocalGateway, type LocalGateway } from '../../mcp-http/gateway.js';
import { newToken } from '../../mcp-http/security.js';
import { formatDiagnostic } from '../../../shared/policy/diagnostics.js';
import { watchPolicy } from '../../mcp/policy-watch.js';

const USAGE = 'capfence serve --policy P [--db DB] [--port N] [--token-file F] [--print-token] [--hold SECONDS]';

/** Where `capfence serve` keeps its bearer token unless told otherwise. */
export function defaultTokenFile(env: Record<string, string | undefined>): string {
  return join(capfenceHome(env), 'gateway.token');
}

/**
 * The gateway's token from `file`, created (256 random bits) when absent. The file is mode 0600
 * in a 0700 folder: the token is as good as a password for every configured server. Reused
 * across restarts so configured clients keep working.
 */
export function loadOrCreateToken(file: string): string {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(existing)) {
      chmodSync(file, 0o600);
      return existing;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const token = newToken();
  // Written to a private temp file and renamed, so no reader ever sees a partial or world-readable token.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  return token;
}

/** Resolves on SIGINT or SIGTERM (once), removing its listeners. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const stop = (sig: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(sig);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** What `serve` runs, apart from waiting: the store, the runtime and the gateway. */
export interface RunningServe {
  gateway: LocalGateway;
  tokenFile: string;
  /** The servers configured when it started (more may be added while it runs). */
  servers: string[];
  close(): Promise<void>;
}

/** Starts the headless gateway. Throws `PolicyLoadError` for a bad policy. */
export async function startServe(o: { policyPath: string; dbPath: string; env: Record<string, string | undefined>; port?: number; tokenFile?: string; holdSeconds?: number; onLog?: (server: string, line: string) => void }): Promise<RunningServe> {
  const loaded = loadPolicyForRuntime(o.policyPath);
  const tokenFile = o.tokenFile ?? defaultTokenFile(o.env);
  const token = loadOrCreateToken(tokenFile);
  const store = openStore(o.dbPath, { env: o.env });
  // The runtime shares the store's connection; the store is closed last.
  const runtime = ActionRuntime.fromLoaded(loaded, { backend: new GroupCommitBackend(new StoreBackend(store, false)) });
  try {
    const gateway = await startLocalGateway({
      store,
      runtime: () => runtime,
      token,
      ...(o.port !== undefined ? { port: o.port } : {}),
      ...(o.holdSeconds !== undefined ? { holdSeconds: o.holdSeconds } : {}),
      ...(o.onLog ? { onLog: o.onLog } : {}),
    });
    const servers = (await store.servers.list()).filter((s) => s.enabled).map((s) => s.name);
    // A policy saved in the console (or edited by hand) applies without a restart; an invalid
    // edit keeps the last valid version deciding.
    const stopWatching = watchPolicy(runtime, { log: (line) => o.onLog?.('policy', line) });
    return {
      gateway,
      tokenFile,
      servers,
      async close() {
        stopWatching();
        await gateway.close().catch(() => undefined);
        await runtime.close().catch(() => undefined);
        await store.close();
      },
    };
  } catch (e) {
    await runtime.close().catch(() => undefined);
    await store.close();
    throw e;
  }
}

/** Runs `serve` until `until` resolves (the command passes SIGINT/SIGTERM; tests pass their own). */
export async function runServe(argv: string[], io: CliIo, until: () => Promise<unknown>): Promise<number> {
  const args = parseArgs(argv, [
    ...DB_FLAGS,
    { name: 'policy', short: 'p', type: 'string' },
    { name: 'port', type: 'string' },
    { name: 'token-file', type: 'string' },
    { name: 'print-token', type: 'boolean' },
    { name: 'hold', type: 'string' },
  ]);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument \`${args.positionals[0]}\``);
  const policy = str(args, 'policy');
  if (!policy) throw new UsageError('`--policy` is required');
  const port = num(args, 'port');
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError('`--port` must be a port number (0-65535)');
  const hold = num(args, 'hold');
  if (hold !== undefined && !(hold >= 0 && hold <= 86_400)) throw new UsageError('`--hold` must be between 0 and 86400 seconds');
  const tokenFile = str(args, 'token-file');
  let running: RunningServe;
  try {
    running = await startServe({
      policyPath: resolve(io.cwd, policy),
      dbPath: dbPathOf(args, io),
      env: io.env,
      ...(port !== undefined ? { port } : {}),
      ...(hold !== undefined ? { holdSeconds: hold } : {}),
      ...(tokenFile !== undefined ? { tokenFile: resolve(io.cwd, tokenFile) } : {}),
      onLog: (server, line) => io.stderr(`[${server}] ${line}\n`),
    });
  } catch (e) {
    if (e instanceof PolicyLoadError) {
      io.stderr(`${e.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n') || e.message}\n`);
      return ExitCode.usage;
    }
    throw e;
  }
  const { gateway } = running;
  io.stdout(`CapFence gateway: ${gateway.url}\n`);
  io.stdout(`Endpoints: ${gateway.url}/mcp/<server> (configure servers with \`capfence servers add\`)\n`);
  for (const name of running.servers) io.stdout(`  ${name}: ${gateway.endpoint(name)}\n`);
  // The token never goes to output unless asked: logs get copied to places a password should not.
  io.stdout(bool(args, 'print-token') ? `Token: ${gateway.token}\n` : `Token: in ${running.tokenFile} (send \`Authorization: Bearer <token>\`)\n`);
  io.stdout('Press Ctrl+C to stop.\n');
  try {
    await until();
  } finally {
    await running.close();
  }
  io.stdout('CapFence gateway stopped.\n');
  return ExitCode.ok;
}

/** `capfence serve`: the local MCP gateway, headless. */
export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the local MCP gateway (Streamable HTTP on 127.0.0.1) without the console',
  usage: USAGE,
  run: (argv, io) => runServe(argv, io, untilSignal),
};
