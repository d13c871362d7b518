/** A small, strict argument parser: unknown flags are usage errors, never silently ignored. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `audit-log`. */
  name: string;
  short?: string;
  /** `boolean` flags take no value; `string` flags take one; `multi` collect repeated values. */
  type: 'boolean' | 'string' | 'multi';
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Everything after a literal `--`, untouched. */
  rest: string[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `argv` against `specs`. With `stopAtFirstPositional`, everything from the first
 * positional on is returned in `rest` (for commands that wrap another command line).
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], opts: { stopAtFirstPositional?: boolean; minPositionals?: number } = {}): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const long = arg.startsWith('--');
      let key = long ? arg.slice(2) : arg.slice(1);
      let inline: string | undefined;
      const eq = key.indexOf('=');
      if (long && eq >= 0) {
        inline = key.slice(eq + 1);
        key = key.slice(0, eq);
      }
      const spec = long ? byLong.get(key) : byShort.get(key);
      if (!spec) throw new UsageError(`unknown option \`${arg}\``);
      if (spec.type === 'boolean') {
        if (inline !== undefined) throw new UsageError(`option \`--${spec.name}\` takes no value`);
        flags[spec.name] = true;
        continue;
      }
      let value = inline;
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`option \`--${spec.name}\` needs a value`);
        value = argv[++i] as string;
      }
      if (spec.type === 'multi') {
        const prev = flags[spec.name];
        flags[spec.name] = [...(Array.isArray(prev) ? prev : []), value];
      } else flags[spec.name] = value;
      continue;
    }
    if (opts.stopAtFirstPositional) {
      rest = argv.slice(i);
      break;
    }
    positionals.push(arg);
  }
  if (opts.minPositionals !== undefined && positionals.length < opts.minPositionals) {
    throw new UsageError(`expected ${opts.minPositionals} argument(s), got ${positionals.length}`);
  }
  return { flags, positionals, rest };
}

/** Reads a string flag. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a boolean flag. */
export function bool(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

/** Reads a numeric flag, rejecting anything that is not a finite number. */
export function num(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`option \`--${name}\` needs a number, got \`${v}\``);
  return n;
}
