import { resolve } from 'node:path';
import { bool, parseArgs, str, UsageError, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode, type CliIo } from '../io.js';
import { jsonOut } from '../json-out.js';
import { DB_FLAGS } from '../store-option.js';
import { capfenceHome } from '../../paths.js';
import { clientLabel, CLIENTS, defaultConfigPath, isClientName, type ClientName } from '../../clients/client-paths.js';
import { capfenceBin, installClientConfig, restoreClientConfig } from '../../clients/install.js';
import { resolveConsolePolicy } from './console.js';

const CLIENT_FLAGS = [
  { name: 'client', type: 'string' as const },
  { name: 'config', type: 'string' as const },
];

function clientOf(args: ParsedArgs): ClientName {
  const c = str(args, 'client');
  if (!c) throw new UsageError(`\`--client\` is required (${CLIENTS.join(' or ')})`);
  if (!isClientName(c)) throw new UsageError(`unknown client \`${c}\`; use ${CLIENTS.map((x) => `\`${x}\``).join(' or ')}`);
  return c;
}

function configOf(args: ParsedArgs, io: CliIo, client: ClientName): string {
  const given = str(args, 'config');
  return given ? resolve(io.cwd, given) : defaultConfigPath(client, io.env);
}

/** `capfence clients install`: routes a client's stdio MCP servers through `capfence gateway`. */
export const clientsInstallCommand: Command = {
  path: ['clients', 'install'],
  summary: "Route an MCP client's stdio servers through the CapFence gateway (keeps a byte-exact backup)",
  usage: `capfence clients install --client ${CLIENTS.join('|')} [--config PATH] [--policy P] [--db DB] [--json]`,
  async run(argv, io) {
    const args = parseArgs(argv, [...CLIENT_FLAGS, ...DB_FLAGS, { name: 'policy', short: 'p', type: 'string' }, { name: 'json', type: 'boolean' }]);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument \`${args.positionals[0]}\``);
    const client = clientOf(args);
    const configPath = configOf(args, io, client);
    const policy = resolveConsolePolicy(str(args, 'policy'), io);
    if (policy.created) io.stderr(`created ${policy.path} from the default policy\n`);
    const db = str(args, 'db') ?? str(args, 'db-path');
    const r = installClientConfig(configPath, {
      node: process.execPath,
      bin: capfenceBin(),
      policy: policy.path,
      ...(db ? { db: resolve(io.cwd, db) } : {}),
      // The client starts the gateway with its own environment: carry our home over when it is not the default.
      ...(io.env['CAPFENCE_HOME'] ? { capfenceHome: capfenceHome(io.env) } : {}),
    });
    if (!r.ok) {
      io.stderr(`error: ${r.error.message}\n`);
      return r.error.code === 'CLIENT_CONFIG_INVALID' ? ExitCode.usage : ExitCode.failure;
    }
    const o = r.value;
    if (bool(args, 'json')) {
      io.stdout(`${jsonOut({ client, config: o.configPath, backup: o.backupPath, changed: o.changed, backed_up: o.backedUp, servers: o.servers })}\n`);
      return ExitCode.ok;
    }
    const wrapped = o.servers.filter((s) => s.action === 'wrapped').length;
    io.stdout(o.changed ? `${clientLabel(client)}: ${wrapped} server(s) now run through CapFence (${o.configPath}).\nBackup: ${o.backupPath}\n` : `${clientLabel(client)}: nothing to change in ${o.configPath}.\n`);
    for (const s of o.servers) io.stdout(`  ${s.action.padEnd(15)} ${s.name}: ${s.detail}\n`);
    if (o.servers.some((s) => s.action === 'url-left')) io.stdout('URL servers are not wrapped: add them with `capfence servers add <name> --url URL` and point the client at `capfence serve`.\n');
    if (o.changed) io.stdout(`Restart ${clientLabel(client)} to apply. Undo with \`capfence clients restore --client ${client}\`.\n`);
    return ExitCode.ok;
  },
};

/** `capfence clients restore`: puts the client's configuration back byte for byte. */
export const clientsRestoreCommand: Command = {
  path: ['clients', 'restore'],
  summary: "Put an MCP client's configuration back as it was before `clients install`",
  usage: `capfence clients restore --client ${CLIENTS.join('|')} [--config PATH]`,
  async run(argv, io) {
    const args = parseArgs(argv, CLIENT_FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument \`${args.positionals[0]}\``);
    const client = clientOf(args);
    const r = restoreClientConfig(configOf(args, io, client));
    if (!r.ok) {
      io.stderr(`error: ${r.error.message}\n`);
      return ExitCode.failure;
    }
    io.stdout(`${clientLabel(client)}: restored ${r.value.configPath} (backup removed). Restart ${clientLabel(client)} to apply.\n`);
    return ExitCode.ok;
  },
};
