import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ActionRuntime } from '../runtime/action-runtime.js';
import type { RuntimeBackend } from '../runtime/backend.js';
import { FailedBackend } from '../runtime/failed-backend.js';
import { StoreBackend } from '../runtime/store-backend.js';
import { loadPolicyForRuntime } from '../policy/load-policy.js';
import { openStore, type Store } from '../store/store.js';
import { ChildProcessTransport } from './child-transport.js';
import { GroupCommitBackend } from '../runtime/group-commit-backend.js';
import { createPolicyJudge } from './judge.js';
import { LineTransport } from './line-transport.js';
import { watchPolicy } from './policy-watch.js';
import { startPolicyProxy } from './proxy.js';

export interface StdioGatewayOptions {
  policyPath: string;
  /** The shared store (grants, approvals, audit, tool pins). */
  dbPath: string;
  /** The upstream server's command line. */
  command: readonly string[];
  env: Record<string, string | undefined>;
  agentId?: string;
  serverName?: string;
  environment?: string;
  holdSeconds?: number;
  denyAsResult?: boolean;
  hideDeniedTools?: boolean;
  legacyToolMap?: boolean;
  /** The client's side: the protocol on these streams, nothing else. */
  input: Readable;
  output: Writable;
  log: (line: string) => void;
  /** Aborting stops the gateway as a client disconnect would (the CLI wires SIGTERM/SIGINT/SIGHUP here). */
  stop?: AbortSignal;
}

const LAUNCHERS = new Set(['node', 'nodejs', 'npx', 'npm', 'pnpm', 'bunx', 'bun', 'deno', 'python', 'python3', 'uv', 'uvx', 'pipx', 'docker', 'sh', 'bash', 'env']);

const GENERIC = new Set(['index', 'main', 'cli', 'server', 'bin', 'dist', 'build', 'lib', 'src', 'out']);

/**
 * A server name from its command line: the script or package after a launcher, else the
 * program; a generic file name (`dist/index.js`) gives way to its package or folder name.
 */
export function serverNameFromCommand(command: readonly string[]): string {
  const prog = basename(command[0] ?? 'server');
  const name = (s: string): string => {
    const clean = s.replace(/@[^/@]*$/, '');
    const parts = clean.split(/[\\/]/).filter((p) => p !== '');
    for (let i = parts.length - 1; i >= 0; i--) {
      const part = parts[i] as string;
      const stem = part.slice(0, part.length - extname(part).length) || part;
      if (!GENERIC.has(stem) && !part.startsWith('@') && part !== 'node_modules') return stem;
    }
    return 'server';
  };
  if (!LAUNCHERS.has(prog.replace(/\.exe$/, ''))) return name(command[0] ?? 'server');
  const target = command.slice(1).find((a) => !a.startsWith('-') && a !== 'run' && a !== 'exec');
  return target ? name(target) : name(prog);
}

/**
 * Runs the stdio gateway: the agent's client on `input`/`output`, the upstream as a child
 * process, every `tools/call` judged by the policy (which reloads when saved). Resolves with an
 * exit code when either side closes; the upstream is always stopped.
 */
export async function runStdioGateway(opts: StdioGatewayOptions): Promise<number> {
  const loaded = loadPolicyForRuntime(opts.policyPath);
  let store: Store | undefined;
  let backend: RuntimeBackend;
  try {
    store = openStore(opts.dbPath, { env: opts.env });
    // Concurrent calls' audit entries share a transaction; each still waits for its own.
    backend = new GroupCommitBackend(new StoreBackend(store));
  } catch (e) {
    // Fail closed: every call will be denied with this cause.
    const cause = `cannot open the store \`${opts.dbPath}\`: ${e instanceof Error ? e.message : String(e)}`;
    opts.log(`${cause}; every tool call will be denied`);
    backend = new FailedBackend(cause);
  }
  const runtime = ActionRuntime.fromLoaded(loaded, { backend });
  const serverName = opts.serverName ?? serverNameFromCommand(opts.command);
  const stopWatching = watchPolicy(runtime, { log: opts.log });
  const judge = createPolicyJudge({
    runtime,
    serverName,
    actor: opts.agentId ?? 'mcp-gateway',
    sessionId: randomUUID(),
    ...(opts.environment ? { environment: opts.environment } : {}),
    ...(opts.holdSeconds !== undefined ? { holdMs: opts.holdSeconds * 1000 } : {}),
    denyAsResult: opts.denyAsResult === true,
    hideDeniedTools: opts.hideDeniedTools === true,
    legacyToolMap: opts.legacyToolMap === true,
    pins: store?.tools,
    log: opts.log,
  });
  const [command, ...args] = opts.command;
  const upstream = new ChildProcessTransport({ command: command as string, args, env: opts.env });
  // Upstream answers reach the client byte for byte; client messages are always re-serialised.
  const client = new LineTransport(opts.input, opts.output, { sendArrivedText: true });
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  try {
    const proxy = await startPolicyProxy({ client, upstream, judge, serverName, log: opts.log, onClose: () => resolveDone() });
    const onStop = () => {
      opts.log('stopping');
      void proxy.close();
    };
    if (opts.stop?.aborted) onStop();
    else opts.stop?.addEventListener('abort', onStop, { once: true });
  } catch (e) {
    stopWatching();
    await runtime.close();
    throw new Error(`cannot start the upstream server \`${opts.command.join(' ')}\`: ${e instanceof Error ? e.message : String(e)}`);
  }
  opts.log(`gateway for \`${serverName}\` running (policy ${runtime.policy.path}, store ${opts.dbPath})`);
  await done;
  stopWatching();
  await runtime.close().catch(() => undefined);
  const status = upstream.exitStatus;
  return status && status.code !== 0 && status.code !== null && status.signal === null ? 1 : 0;
}
