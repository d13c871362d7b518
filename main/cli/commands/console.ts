import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { formatDiagnostic } from '../../../shared/policy/diagnostics.js';
import { createConsoleService, type ConsoleService } from '../../console/service.js';
import { startConsoleServer, type ConsoleServer } from '../../console/server.js';
import { startLocalGateway, type LocalGateway } from '../../mcp-http/gateway.js';
import { defaultTokenFile, loadOrCreateToken } from './serve.js';

/** The package root: the nearest folder up from this module that holds `policies/default.yaml`. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'policies', 'default.yaml')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the capfence package root (policies/default.yaml)');
    dir = up;
  }
}

/** The policy the console enforces: `--policy`, else `$CAPFENCE_HOME/policy.yaml` (created from the default). */
export function resolveConsolePolicy(given: string | undefined, io: Pick<CliIo, 'cwd' | 'env'>): { path: string; created: boolean } {
  if (given) {
    const path = resolve(io.cwd, given);
    if (!existsSync(path)) throw new UsageError(`policy file \`${given}\` not found`);
    return { path, created: false };
  }
  const path = join(capfenceHome(io.env), 'policy.yaml');
  if (existsSync(path)) return { path, created: false };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  copyFileSync(join(packageRoot(), 'policies', 'default.yaml'), path);
  return { path, created: true };
}

/** What `startConsole` runs on. */
export interface StartConsoleOptions {
  policyPath: string;
  dbPath: string;
  env: Record<string, string | undefined>;
  port?: number;
  gatewayPort?: number;
  staticDir?: string;
  user?: string;
}

/** A running browser console: the store, the runtime, the local gateway and the loopback server. */
export interface RunningConsole {
  url: string;
  gateway: LocalGateway;
  server: ConsoleServer;
  service: ConsoleService;
  runtime: ActionRuntime;
  close(): Promise<void>;
}

/** Starts everything `capfence console` runs, in the order the desktop shell does. Throws `PolicyLoadError`. */
export async function startConsole(o: StartConsoleOptions): Promise<RunningConsole> {
  const loaded = loadPolicyForRuntime(o.policyPath);
  const store = openStore(o.dbPath, { env: o.env });
  const started: (() => Promise<void>)[] = [() => store.close()];
  const stop = async () => {
    for (const f of started.reverse()) await f().catch(() => undefined);
  };
  try {
    // The runtime shares the console's store connection; closing the store is the console's job.
    const runtime = ActionRuntime.fromLoaded(loaded, { backend: new GroupCommitBackend(new StoreBackend(store, false)) });
    const gateway = await startLocalGateway({ store, runtime: () => runtime, token: loadOrCreateToken(defaultTokenFile(o.env)), ...(o.gatewayPort !== undefined ? { port: o.gatewayPort } : {}) });
    started.push(() => gateway.close());
    const service = createConsoleService({ store, policyPath: o.policyPath, user: o.user ?? currentUser(), transport: 'websocket', gatewayUrl: gateway.url, home: capfenceHome(o.env), runtime });
    started.push(async () => service.close());
    const server = await startConsoleServer({ service, staticDir: o.staticDir ?? join(packageRoot(), 'dist', 'renderer'), ...(o.port !== undefined ? { port: o.port } : {}) });
    started.push(() => server.close());
    return { url: server.url, gateway, server, service, runtime, close: stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function currentUser(): string {
  try {
    return userInfo().username || 'console';
  } catch {
    return 'console';
  }
}

/** Opens a URL in the default browser; any failure is ignored (the address is printed anyway). */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine.
  }
}

/** `capfence console`: the approval console in the browser, with the local MCP gateway. */
export const consoleCommand: Command = {
  path: ['console'],
  summary: 'Open the approval console in your browser (and run the local MCP gateway)',
  usage: 'capfence console [--policy P] [--db DB] [--port P] [--gateway-port N] [--no-open]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, { name: 'policy', short: 'p', type: 'string' }, { name: 'port', type: 'string' }, { name: 'gateway-port', type: 'string' }, { name: 'no-open', type: 'boolean' }]);
    const port = num(args, 'port');
    const gatewayPort = num(args, 'gateway-port');
    for (const [name, v] of [['port', port], ['gateway-port', gatewayPort]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 65535)) throw new UsageError(`\`--${name}\` must be a port number (0-65535)`);
    }
    const policy = resolveConsolePolicy(str(args, 'policy'), io);
    if (policy.created) io.stderr(`created ${policy.path} from the default policy\n`);
    let running: RunningConsole;
    try {
      running = await startConsole({
        policyPath: policy.path,
        dbPath: dbPathOf(args, io),
        env: io.env,
        ...(port !== undefined ? { port } : {}),
        ...(gatewayPort !== undefined ? { gatewayPort } : {}),
      });
    } catch (e) {
      if (e instanceof PolicyLoadError) {
        io.stderr(`${e.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n') || e.message}\n`);
        return ExitCode.usage;
      }
      throw e;
    }
    io.stdout(`CapFence console: ${running.url}\n`);
    // The gateway token stays in its 0600 file: terminal output gets copied to places a password should not go.
    io.stdout(`MCP gateway: ${running.gateway.url}/mcp/<server> (bearer token in ${defaultTokenFile(io.env)})\n`);
    io.stdout(`Policy: ${policy.path}\nPress Ctrl+C to stop.\n`);
    if (!bool(args, 'no-open')) openBrowser(running.url);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    // Closing the store is what makes the gateways fail closed, never open.
    await running.close();
    return ExitCode.ok;
  },
};
