import { fnmatchcase } from '../../shared/py/fnmatch.js';

/** Where a tool's capability came from. */
export type CapabilitySource = 'policy' | 'default' | 'legacy';

export interface ToolCapability {
  capability: string;
  source: CapabilitySource;
  /** The original's risk category for the tool (legacy map only). */
  riskCategory?: string;
}

const hasGlob = (s: string): boolean => /[*?[]/.test(s);

/**
 * Finds the policy's mapping for a tool in `mcp:` (server → tool → capability). Exact names win
 * over patterns; patterns (`*`, `?`, `[...]`, case-sensitive) are tried in file order; a server
 * entry with no matching tool falls through to the next matching server entry (e.g. `"*"`).
 */
export function mappedCapability(mcp: Record<string, Record<string, string>>, server: string, tool: string): string | undefined {
  const servers = Object.keys(mcp);
  const serverOrder = [...servers.filter((s) => s === server), ...servers.filter((s) => s !== server && hasGlob(s) && fnmatchcase(server, s))];
  for (const s of serverOrder) {
    const tools = mcp[s] ?? {};
    if (Object.hasOwn(tools, tool)) return tools[tool];
    for (const [pattern, cap] of Object.entries(tools)) if (hasGlob(pattern) && fnmatchcase(tool, pattern)) return cap;
  }
  return undefined;
}

/**
 * A name made safe for one capability part: anything outside `[A-Za-z0-9_-]` becomes `_` (a `.`
 * would shift the parts, a `*` would read as a wildcard).
 */
export function capabilityPart(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_-]/g, '_');
  return s === '' ? '_' : s;
}

/** The default capability of an unmapped tool: `mcp.<server>.<tool>`, each part sanitized. */
export function defaultToolCapability(server: string, tool: string): string {
  return `mcp.${capabilityPart(server)}.${capabilityPart(tool)}`;
}

/**
 * The original CapFence gateway's name guessing, reproduced exactly for `--legacy-tool-map`:
 * the first keyword group with a substring of the lower-cased name wins. Known to be crude —
 * `sh` matches `publish_post`, `push_branch`, `finish`, `cash_out` (all become `shell.execute`),
 * `send_email` becomes `payments.transfer` — so it is off by default.
 */
const LEGACY_GROUPS: readonly { keywords: readonly string[]; category: string; capability: string }[] = [
  { keywords: ['shell', 'exec', 'run', 'command', 'bash', 'sh'], category: 'command_execution', capability: 'shell.execute' },
  { keywords: ['pay', 'transfer', 'send', 'disburse', 'stripe'], category: 'payment_initiation', capability: 'payments.transfer' },
  { keywords: ['delete', 'remove', 'drop', 'wipe'], category: 'delete', capability: 'filesystem.delete' },
  { keywords: ['write', 'update', 'modify', 'patch'], category: 'write', capability: 'filesystem.write' },
  { keywords: ['read', 'get', 'list', 'view', 'query'], category: 'read_only', capability: 'filesystem.read' },
];

/** The original's guess for a tool name: `{capability, riskCategory}` (`mcp.tool.execute` when nothing matches). */
export function legacyToolCapability(tool: string): { capability: string; riskCategory: string | undefined } {
  const lower = tool.toLowerCase();
  for (const g of LEGACY_GROUPS) if (g.keywords.some((k) => lower.includes(k))) return { capability: g.capability, riskCategory: g.category };
  return { capability: 'mcp.tool.execute', riskCategory: undefined };
}

/**
 * The capability a tool call on `server` needs: the policy's `mcp:` mapping first, then either
 * `mcp.<server>.<tool>` or, with `legacy`, the original's name guess.
 */
export function toolCapability(mcp: Record<string, Record<string, string>>, server: string, tool: string, opts: { legacy?: boolean } = {}): ToolCapability {
  const mapped = mappedCapability(mcp, server, tool);
  if (mapped !== undefined) return { capability: mapped, source: 'policy' };
  if (opts.legacy) {
    const g = legacyToolCapability(tool);
    return { capability: g.capability, source: 'legacy', ...(g.riskCategory ? { riskCategory: g.riskCategory } : {}) };
  }
  return { capability: defaultToolCapability(server, tool), source: 'default' };
}
