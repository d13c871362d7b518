import { err, ok, type AppError, type Result } from './result.js';

/** How the gateway reaches an upstream MCP server. */
export type McpServerKind = 'stdio' | 'http';

/** A configured upstream MCP server, as stored in `mcp_servers`. */
export interface McpServerConfig {
  name: string;
  kind: McpServerKind;
  /** The stdio command and its arguments (`stdio` only). */
  command: string[] | null;
  /** Extra environment variables for the stdio command. */
  env: Record<string, string>;
  cwd: string | null;
  /** The remote Streamable HTTP endpoint (`http` only). */
  url: string | null;
  /** Headers sent upstream with every request (`http` only). */
  headers: Record<string, string>;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What a caller gives to add or change a server; the store fills in the rest. */
export interface McpServerInput {
  name: string;
  kind: McpServerKind;
  command?: string[] | null | undefined;
  env?: Record<string, string> | undefined;
  cwd?: string | null | undefined;
  url?: string | null | undefined;
  headers?: Record<string, string> | undefined;
  enabled?: boolean | undefined;
}

/** The validated, normalized form of an input. */
export type ValidMcpServer = Omit<McpServerConfig, 'createdAt' | 'updatedAt'>;

/** Server names end up in URL paths (`/mcp/<name>`) and capabilities (`mcp.<name>.<tool>`). */
export const SERVER_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 9110 token characters: a header name that is anything else is rejected, not sent.
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers hop-by-hop or owned by the transport: the gateway sets them, a config must not.
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'mcp-session-id', 'mcp-protocol-version']);

const bad = (message: string, hint?: string): Result<never> => err<AppError>({ code: 'SERVER_INVALID', message, ...(hint ? { hint } : {}) });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasControl = (s: string): boolean => /[\u0000-\u001f\u007f]/.test(s);

function stringMap(v: unknown, what: string, keyRe: RegExp, allowControlValues: boolean): Result<Record<string, string>> {
  if (v === undefined || v === null) return ok({});
  if (!isRecord(v)) return bad(`\`${what}\` must map names to strings`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!keyRe.test(k)) return bad(`\`${what}\` has an invalid name \`${k}\``);
    if (typeof val !== 'string') return bad(`\`${what}.${k}\` must be a string`);
    if (val.includes('\u0000') || (!allowControlValues && hasControl(val))) return bad(`\`${what}.${k}\` contains control characters`);
    out[k] = val;
  }
  return ok(out);
}

/** Validates and normalizes a server configuration; never throws. */
export function validateMcpServer(input: unknown): Result<ValidMcpServer> {
  if (!isRecord(input)) return bad('a server configuration must be an object');
  const { name, kind } = input;
  if (typeof name !== 'string' || !SERVER_NAME_RE.test(name)) {
    return bad(`invalid server name \`${String(name)}\``, 'use 1 to 64 letters, digits, `_` or `-`');
  }
  if (kind !== 'stdio' && kind !== 'http') return bad(`server \`${name}\` has unknown kind \`${String(kind)}\``, 'use `stdio` or `http`');
  const enabled = input['enabled'] === undefined ? true : input['enabled'];
  if (typeof enabled !== 'boolean') return bad(`\`enabled\` of server \`${name}\` must be a boolean`);

  if (kind === 'stdio') {
    const command = input['command'];
    if (!Array.isArray(command) || command.length === 0 || !command.every((c): c is string => typeof c === 'string')) {
      return bad(`server \`${name}\` needs a command: a non-empty list of strings`);
    }
    if ((command[0] as string).trim() === '') return bad(`server \`${name}\` has an empty program name`);
    if (command.some((c) => c.includes('\u0000'))) return bad(`the command of server \`${name}\` contains a NUL character`);
    if (input['url'] != null) return bad(`stdio server \`${name}\` cannot have a url`);
    if (input['headers'] != null && isRecord(input['headers']) && Object.keys(input['headers']).length > 0) return bad(`stdio server \`${name}\` cannot have headers`);
    const env = stringMap(input['env'], 'env', ENV_NAME_RE, true);
    if (!env.ok) return env;
    const cwd = input['cwd'] ?? null;
    if (cwd !== null && (typeof cwd !== 'string' || cwd.trim() === '' || cwd.includes('\u0000'))) return bad(`\`cwd\` of server \`${name}\` must be a non-empty path`);
    return ok({ name, kind, command: [...command], env: env.value, cwd, url: null, headers: {}, enabled });
  }

  const url = input['url'];
  if (typeof url !== 'string') return bad(`http server \`${name}\` needs a url`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad(`invalid url \`${url}\``, 'use an absolute `http://` or `https://` address');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return bad(`url \`${url}\` must use http or https`);
  if (input['command'] != null) return bad(`http server \`${name}\` cannot have a command`);
  if (input['cwd'] != null) return bad(`http server \`${name}\` cannot have a cwd`);
  if (input['env'] != null && isRecord(input['env']) && Object.keys(input['env']).length > 0) return bad(`http server \`${name}\` cannot have env`);
  const headers = stringMap(input['headers'], 'headers', HEADER_NAME_RE, false);
  if (!headers.ok) return headers;
  for (const h of Object.keys(headers.value)) {
    if (RESERVED_HEADERS.has(h.toLowerCase())) return bad(`header \`${h}\` is set by the gateway and cannot be configured`);
  }
  return ok({ name, kind, command: null, env: {}, cwd: null, url: parsed.href, headers: headers.value, enabled });
}
