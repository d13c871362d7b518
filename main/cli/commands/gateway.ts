import { Writable, type Readable } from 'node:stream';
import { resolve } from 'node:path';
import { bool, num, parseArgs, str, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { DB_FLAGS, dbPathOf } from '../store-option.js';
import { PolicyLoadError } from '../../policy/load-policy.js';
import { runStdioGateway } from '../../mcp/stdio-gateway.js';

const FLAGS = [
  ...DB_FLAGS,
  { name: 'policy', short: 'p', type: 'string' as const },
  { name: 'agent-id', type: 'string' as const },
  { name: 'server-name', type: 'string' as const },
  { name: 'environment', type: 'string' as const },
  { name: 'hold-seconds', type: 'string' as const },
  { name: 'deny-as-result', type: 'boolean' as const },
  { name: 'hide-denied-tools', type: 'boolean' as const },
  { name: 'legacy-tool-map', type: 'boolean' as const },
];

/**
 * `capfence gateway --policy P [--] <upstream command...>`: an MCP stdio server that proxies one
 * upstream server and judges every tool call. stdout carries the protocol only; logs go to stderr.
 */
export const gatewayCommand: Command = {
  path: ['gateway'],
  summary: 'Run an MCP stdio gateway that enforces the policy on an upstream server',
  usage:
    'capfence gateway --policy P [--db DB] [--agent-id ID] [--server-name NAME] [--environment ENV] [--hold-seconds N] [--deny-as-result] [--hide-denied-tools] [--legacy-tool-map] [--] <upstream command...>',
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS, { stopAtFirstPositional: true });
    const policy = str(args, 'policy');
    if (!policy) throw new UsageError('`--policy` is required');
    if (args.rest.length === 0) throw new UsageError('the upstream server command is missing');
    const hold = num(args, 'hold-seconds');
    if (hold !== undefined && hold < 0) throw new UsageError('`--hold-seconds` must be 0 or more');
    const log = (line: string) => io.stderr(`capfence gateway: ${line}\n`);
    const real = io.stdin === process.stdin;
    // The protocol goes to the real stdout (with back-pressure); an injected io gets an adapter.
    const output = real
      ? process.stdout
      : new Writable({
          write(chunk: Buffer | string, _enc, cb) {
            io.stdout(chunk.toString());
            cb();
          },
        });
    if (!io.stdin) throw new UsageError('the gateway needs standard input');
    const serverName = str(args, 'server-name');
    const agentId = str(args, 'agent-id');
    const environment = str(args, 'environment');
    // A stopped gateway must not leave its upstream behind: signals close it like a disconnect.
    const stop = new AbortController();
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
    const onSignal = () => stop.abort();
    if (real) for (const sig of signals) process.on(sig, onSignal);
    try {
      const code = await runStdioGateway({
        policyPath: resolve(io.cwd, policy),
        dbPath: dbPathOf(args, io),
        command: args.rest,
        env: io.env,
        ...(agentId ? { agentId } : {}),
        ...(serverName ? { serverName } : {}),
        ...(environment ? { environment } : {}),
        ...(hold !== undefined ? { holdSeconds: hold } : {}),
        denyAsResult: bool(args, 'deny-as-result'),
        hideDeniedTools: bool(args, 'hide-denied-tools'),
        legacyToolMap: bool(args, 'legacy-tool-map'),
        input: io.stdin as Readable,
        output,
        log,
        stop: stop.signal,
      });
      // Nothing else may keep a stdio gateway alive once its client and server are gone.
      if (real) process.stdin.destroy();
      return code;
    } catch (e) {
      if (e instanceof PolicyLoadError) {
        io.stderr(`error: ${e.message}\n`);
        return ExitCode.usage;
      }
      throw e;
    } finally {
      if (real) for (const sig of signals) process.off(sig, onSignal);
    }
  },
};
