import { bool, parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut } from '../json-out.js';
import { DB_FLAGS, withStore } from '../store-option.js';

/** `capfence servers list`: the configured upstream MCP servers. */
export const serversListCommand: Command = {
  path: ['servers', 'list'],
  summary: 'List the configured upstream MCP servers',
  usage: 'capfence servers list [--json] [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, { name: 'json', type: 'boolean' }]);
    return withStore(args, io, async (store) => {
      const servers = await store.servers.list();
      if (bool(args, 'json')) {
        // Header and env values may hold secrets: JSON shows their names only.
        io.stdout(
          `${jsonOut(
            servers.map((s) => ({ name: s.name, kind: s.kind, command: s.command, env: Object.keys(s.env), cwd: s.cwd, url: s.url, headers: Object.keys(s.headers), enabled: s.enabled, created_at: s.createdAt, updated_at: s.updatedAt })),
          )}\n`,
        );
        return ExitCode.ok;
      }
      if (servers.length === 0) {
        io.stdout('No servers configured. Add one with `capfence servers add`.\n');
        return ExitCode.ok;
      }
      const width = Math.max(4, ...servers.map((s) => s.name.length));
      io.stdout(`${'NAME'.padEnd(width)}  KIND   TARGET\n`);
      for (const s of servers) {
        const target = s.kind === 'http' ? (s.url ?? '') : (s.command ?? []).join(' ');
        io.stdout(`${s.name.padEnd(width)}  ${s.kind.padEnd(5)}  ${target}${s.enabled ? '' : '  (disabled)'}\n`);
      }
      return ExitCode.ok;
    });
  },
};
