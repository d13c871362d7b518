import { parseArgs, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { DB_FLAGS, withStore } from '../store-option.js';

/** `capfence servers remove <name>`: the gateway stops serving it at once. */
export const serversRemoveCommand: Command = {
  path: ['servers', 'remove'],
  summary: 'Remove a configured upstream MCP server',
  usage: 'capfence servers remove <name> [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, DB_FLAGS, { minPositionals: 1 });
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument \`${args.positionals[1]}\``);
    const name = args.positionals[0] as string;
    return withStore(args, io, async (store) => {
      if (!(await store.servers.remove(name))) {
        io.stderr(`error: no server named \`${name}\`\n`);
        return ExitCode.failure;
      }
      io.stdout(`Server \`${name}\` removed.\n`);
      return ExitCode.ok;
    });
  },
};
