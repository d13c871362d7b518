import { homedir } from 'node:os';
import { join } from 'node:path';

/** The MCP clients whose configuration `capfence clients` can rewrite. */
export const CLIENTS = ['claude-desktop', 'cursor'] as const;
export type ClientName = (typeof CLIENTS)[number];

export const isClientName = (s: string): s is ClientName => (CLIENTS as readonly string[]).includes(s);

/** A person-readable client name. */
export const clientLabel = (c: ClientName): string => (c === 'claude-desktop' ? 'Claude Desktop' : 'Cursor');

/**
 * Where a client keeps its MCP configuration on this OS: Claude Desktop's
 * `claude_desktop_config.json` in its application-support folder, Cursor's `~/.cursor/mcp.json`.
 */
export function defaultConfigPath(client: ClientName, env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = (platform === 'win32' ? env['USERPROFILE'] : env['HOME']) || homedir();
  if (client === 'cursor') return join(home, '.cursor', 'mcp.json');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'Claude', 'claude_desktop_config.json');
}

/** The byte-exact copy of the original configuration kept next to it. */
export const backupPathOf = (config: string): string => `${config}.capfence-backup`;
