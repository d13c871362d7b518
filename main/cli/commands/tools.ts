import { bool, parseArgs, str, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut } from '../json-out.js';
import { DB_FLAGS, withStore } from '../store-option.js';

const when = (t: number | null): string => (t === null ? '-' : new Date(t * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));

/** `capfence tools list [--server S] [--json]`: pinned MCP tool definitions and their status. */
export const toolsListCommand: Command = {
  path: ['tools', 'list'],
  summary: 'List pinned MCP tool definitions (quarantined ones wait for `tools accept`)',
  usage: 'capfence tools list [--server S] [--json] [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, { name: 'server', type: 'string' }, { name: 'json', type: 'boolean' }]);
    return withStore(args, io, async (store) => {
      const server = str(args, 'server');
      const pins = await store.tools.list(server !== undefined ? { server } : {});
      if (bool(args, 'json')) {
        io.stdout(
          `${jsonOut(
            pins.map((p) => ({ server: p.server, tool: p.tool, status: p.status, definition_hash: p.definitionHash, definition: p.definition, first_seen: p.firstSeen, updated_at: p.updatedAt, accepted_by: p.acceptedBy, accepted_at: p.acceptedAt })),
          )}\n`,
        );
        return ExitCode.ok;
      }
      if (pins.length === 0) {
        io.stdout('No pinned tools. The gateway pins a server\'s tools the first time it lists them.\n');
        return ExitCode.ok;
      }
      const sw = Math.max(6, ...pins.map((p) => p.server.length));
      const tw = Math.max(4, ...pins.map((p) => p.tool.length));
      io.stdout(`${'SERVER'.padEnd(sw)}  ${'TOOL'.padEnd(tw)}  ${'STATUS'.padEnd(11)}  HASH          ACCEPTED BY\n`);
      for (const p of pins) io.stdout(`${p.server.padEnd(sw)}  ${p.tool.padEnd(tw)}  ${p.status.padEnd(11)}  ${p.definitionHash.slice(0, 12)}  ${p.acceptedBy ?? '-'} ${p.acceptedAt ? `(${when(p.acceptedAt)})` : ''}\n`);
      const q = pins.filter((p) => p.status === 'quarantined').length;
      if (q > 0) io.stdout(`\n${q} quarantined: review with \`capfence tools list --json\`, then \`capfence tools accept <server> <tool> --by <you>\`.\n`);
      return ExitCode.ok;
    });
  },
};

/** `capfence tools accept <server> <tool> --by U`: trusts a tool's current definition (audited). */
export const toolsAcceptCommand: Command = {
  path: ['tools', 'accept'],
  summary: 'Accept a quarantined MCP tool definition so calls to it are judged again',
  usage: 'capfence tools accept <server> <tool> --by <user> [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, { name: 'by', type: 'string' }], { minPositionals: 2 });
    const [server, tool] = args.positionals as [string, string];
    const by = str(args, 'by');
    if (!by) throw new UsageError('`--by` is required: the audit log records who accepted the tool');
    return withStore(args, io, async (store) => {
      const r = await store.tools.accept(server, tool, by);
      if (!r) {
        io.stderr(`error: no pinned tool \`${tool}\` for server \`${server}\`\n`);
        return ExitCode.failure;
      }
      io.stdout(r.wasQuarantined ? `Tool ${server}/${tool} accepted (definition ${r.pin.definitionHash.slice(0, 12)}).\n` : `Tool ${server}/${tool} is already accepted.\n`);
      return ExitCode.ok;
    });
  },
};
