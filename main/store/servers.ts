import { validateMcpServer, type McpServerConfig, type McpServerInput } from '../../shared/mcp-server-config.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { SqliteDatabase } from './database.js';

type Row = Record<string, unknown>;

const now = () => Date.now() / 1000;

function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toConfig(r: Row): McpServerConfig {
  return {
    name: r['name'] as string,
    kind: r['kind'] === 'http' ? 'http' : 'stdio',
    command: parseJson<string[] | null>(r['command'], null),
    env: parseJson<Record<string, string>>(r['env'], {}),
    cwd: (r['cwd'] as string | null) ?? null,
    url: (r['url'] as string | null) ?? null,
    headers: parseJson<Record<string, string>>(r['headers'], {}),
    enabled: r['enabled'] === 1,
    createdAt: r['created_at'] as number,
    updatedAt: r['updated_at'] as number,
  };
}

/**
 * The configured upstream MCP servers (`mcp_servers`). Every change also writes a `server` row to
 * `changes` in the same transaction, so a gateway in another process picks it up live.
 */
export class ServerStore {
  constructor(private readonly db: SqliteDatabase) {}

  list(): McpServerConfig[] {
    return (this.db.prepare('SELECT * FROM mcp_servers ORDER BY name').all() as Row[]).map(toConfig);
  }

  get(name: string): McpServerConfig | undefined {
    const r = this.db.prepare('SELECT * FROM mcp_servers WHERE name = ?').get(name) as Row | undefined;
    return r ? toConfig(r) : undefined;
  }

  /** Adds or replaces a server after validating it; invalid input is an error result, never a row. */
  upsert(input: McpServerInput): Result<McpServerConfig> {
    const valid = validateMcpServer(input);
    if (!valid.ok) return valid;
    const s = valid.value;
    const t = now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO mcp_servers (name, kind, command, env, cwd, url, headers, enabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, command = excluded.command, env = excluded.env,
             cwd = excluded.cwd, url = excluded.url, headers = excluded.headers, enabled = excluded.enabled,
             updated_at = excluded.updated_at`,
        )
        .run(s.name, s.kind, s.command ? JSON.stringify(s.command) : null, JSON.stringify(s.env), s.cwd, s.url, JSON.stringify(s.headers), s.enabled ? 1 : 0, t, t);
      this.change(s.name);
    }).immediate();
    const stored = this.get(s.name);
    return stored ? ok(stored) : err({ code: 'SERVER_NOT_FOUND', message: `server \`${s.name}\` vanished after it was saved` });
  }

  /** Removes a server; false when there was none by that name. */
  remove(name: string): boolean {
    return this.db.transaction(() => {
      const removed = this.db.prepare('DELETE FROM mcp_servers WHERE name = ?').run(name).changes === 1;
      if (removed) this.change(name);
      return removed;
    }).immediate();
  }

  private change(name: string): void {
    this.db.prepare("INSERT INTO changes (kind, ref, at) VALUES ('server', ?, ?)").run(name, now());
  }
}
