import { parseArgs, str, UsageError, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { DB_FLAGS, withStore } from '../store-option.js';

const USAGE = 'capfence servers add <name> (--url URL [--header K=V]... | [--env K=V]... [--cwd DIR] -- <command...>) [--db DB]';

/** `K=V` pairs from a repeated flag; the value may itself contain `=`. */
function pairs(args: ParsedArgs, flag: string): Record<string, string> {
  const v = args.flags[flag];
  const out: Record<string, string> = {};
  for (const item of Array.isArray(v) ? v : []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`\`--${flag}\` needs \`NAME=VALUE\`, got \`${item}\``);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `capfence servers add`: configures an upstream MCP server for the local gateway. */
export const serversAddCommand: Command = {
  path: ['servers', 'add'],
  summary: 'Add or replace an upstream MCP server (a stdio command or a Streamable HTTP url)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(
      argv,
      [...DB_FLAGS, { name: 'url', type: 'string' }, { name: 'env', type: 'multi' }, { name: 'header', type: 'multi' }, { name: 'cwd', type: 'string' }],
      { minPositionals: 1 },
    );
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument \`${args.positionals[1]}\`; put the server's command after \`--\``);
    const name = args.positionals[0] as string;
    const url = str(args, 'url');
    if (url !== undefined && args.rest.length > 0) throw new UsageError('give either `--url` or a command after `--`, not both');
    if (url === undefined && args.rest.length === 0) throw new UsageError('give `--url URL` or the server\'s command after `--`');
    const cwd = str(args, 'cwd');
    const input =
      url !== undefined
        ? { name, kind: 'http' as const, url, headers: pairs(args, 'header'), ...(cwd !== undefined ? { cwd } : {}), ...(args.flags['env'] ? { env: pairs(args, 'env') } : {}) }
        : { name, kind: 'stdio' as const, command: args.rest, env: pairs(args, 'env'), cwd: cwd ?? null, ...(args.flags['header'] ? { headers: pairs(args, 'header') } : {}) };
    return withStore(args, io, async (store) => {
      const r = await store.servers.upsert(input);
      if (!r.ok) {
        io.stderr(`error: ${r.error.message}\n${r.error.hint ? `  help: ${r.error.hint}\n` : ''}`);
        return ExitCode.usage;
      }
      const s = r.value;
      io.stdout(`Server \`${s.name}\` saved (${s.kind === 'http' ? s.url : (s.command ?? []).join(' ')}).\n`);
      return ExitCode.ok;
    });
  },
};
