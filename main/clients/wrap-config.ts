import { err, ok, type AppError, type Result } from '../../shared/result.js';

/** How `capfence gateway` is started: absolute paths, so the client needs no PATH to find it. */
export interface GatewayLauncher {
  /** The Node executable. */
  node: string;
  /** `bin/capfence.js`. */
  bin: string;
  policy: string;
  db?: string | undefined;
  /** Set in each wrapped server's `env` so the gateway uses the same keys and database. */
  capfenceHome?: string | undefined;
}

/** What happened to one server entry. */
export interface ServerReport {
  name: string;
  action: 'wrapped' | 'already-wrapped' | 'url-left' | 'skipped';
  detail: string;
}

export interface WrapResult {
  /** The new file text (the same text when nothing changed). */
  text: string;
  changed: boolean;
  servers: ServerReport[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** True when the entry's command line already runs `capfence gateway` (any install of it). */
export function isWrapped(entry: Record<string, unknown>): boolean {
  const argv = [entry['command'], ...(Array.isArray(entry['args']) ? entry['args'] : [])];
  return argv.some((a, i) => typeof a === 'string' && /^capfence(\.js|\.cmd|\.exe)?$/i.test(baseName(a)) && argv[i + 1] === 'gateway');
}

/** The indentation the file already uses, so a rewrite looks like its neighbours. */
function indentOf(text: string): string | number {
  const m = /\n([ \t]+)\S/.exec(text);
  return m?.[1] ?? 2;
}

/**
 * Rewrites an MCP client configuration (`{"mcpServers": {name: {command, args, env}}}`) so each
 * stdio server runs through `capfence gateway --policy P --server-name <name> -- <original...>`.
 * Already-wrapped servers and URL servers are left as they are; every other key is kept.
 * Pure: text in, text out; unparsable input is an error, never a partial rewrite.
 */
export function wrapClientConfig(text: string, launcher: GatewayLauncher): Result<WrapResult> {
  let root: unknown;
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return err<AppError>({ code: 'CLIENT_CONFIG_INVALID', message: `the configuration is not valid JSON: ${e instanceof Error ? e.message : String(e)}` });
  }
  if (!isRecord(root)) return err<AppError>({ code: 'CLIENT_CONFIG_INVALID', message: 'the configuration is not a JSON object' });
  const servers = root['mcpServers'];
  if (servers === undefined) return ok({ text, changed: false, servers: [] });
  if (!isRecord(servers)) return err<AppError>({ code: 'CLIENT_CONFIG_INVALID', message: '`mcpServers` is not an object' });

  const report: ServerReport[] = [];
  const next: Record<string, unknown> = {};
  let changed = false;
  for (const [name, entry] of Object.entries(servers)) {
    next[name] = entry;
    if (!isRecord(entry)) {
      report.push({ name, action: 'skipped', detail: 'not an object' });
      continue;
    }
    if (typeof entry['command'] !== 'string' || entry['command'] === '') {
      if (typeof entry['url'] === 'string' || typeof entry['serverUrl'] === 'string') {
        report.push({ name, action: 'url-left', detail: `URL server ${String(entry['url'] ?? entry['serverUrl'])}: left as it is` });
      } else report.push({ name, action: 'skipped', detail: 'no command' });
      continue;
    }
    if (isWrapped(entry)) {
      report.push({ name, action: 'already-wrapped', detail: 'already runs through capfence' });
      continue;
    }
    const args = entry['args'] ?? [];
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
      report.push({ name, action: 'skipped', detail: '`args` is not a list of strings' });
      continue;
    }
    if (entry['env'] !== undefined && !isRecord(entry['env'])) {
      report.push({ name, action: 'skipped', detail: '`env` is not an object' });
      continue;
    }
    const env = { ...(isRecord(entry['env']) ? entry['env'] : {}), ...(launcher.capfenceHome ? { CAPFENCE_HOME: launcher.capfenceHome } : {}) };
    next[name] = {
      ...entry,
      command: launcher.node,
      args: [
        launcher.bin,
        'gateway',
        '--policy',
        launcher.policy,
        ...(launcher.db ? ['--db', launcher.db] : []),
        '--server-name',
        name,
        '--',
        entry['command'],
        ...args,
      ],
      ...(Object.keys(env).length > 0 ? { env } : {}),
    };
    report.push({ name, action: 'wrapped', detail: [entry['command'], ...args].join(' ') });
    changed = true;
  }
  if (!changed) return ok({ text, changed: false, servers: report });
  // Keep the file's habits (indentation, CRLF, a byte-order mark, a final newline) so the diff is only the servers.
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const out = JSON.stringify({ ...root, mcpServers: next }, null, indentOf(text)).replace(/\n/g, eol);
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  return ok({ text: `${bom}${out}${/\n$/.test(text) ? eol : ''}`, changed: true, servers: report });
}
