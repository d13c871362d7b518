import type { SqliteDatabase } from './database.js';

/** A pinned MCP tool definition: what a person (or trust on first use) accepted. */
export interface ToolPin {
  server: string;
  tool: string;
  /** sha256 of the canonical definition. */
  definitionHash: string;
  /** The definition last seen (JSON). */
  definition: unknown;
  status: 'accepted' | 'quarantined';
  firstSeen: number;
  updatedAt: number;
  acceptedBy: string | null;
  acceptedAt: number | null;
}

/** One tool as a server listed it, hashed by the caller. */
export interface SeenTool {
  name: string;
  hash: string;
  definition: unknown;
}

/** Who accepts the tools of a server seen for the first time. */
export const TOFU_ACCEPTOR = 'trust-on-first-use';

type Row = Record<string, unknown>;

const toPin = (r: Row): ToolPin => ({
  server: r['server'] as string,
  tool: r['tool'] as string,
  definitionHash: r['definition_hash'] as string,
  definition: JSON.parse(r['definition'] as string) as unknown,
  status: r['status'] as ToolPin['status'],
  firstSeen: r['first_seen'] as number,
  updatedAt: r['updated_at'] as number,
  acceptedBy: (r['accepted_by'] as string | null) ?? null,
  acceptedAt: (r['accepted_at'] as number | null) ?? null,
});

/**
 * MCP tool definitions pinned per server (`mcp_tool_pins`). The first listing of a server is
 * trusted and accepted; afterwards a new tool, or a tool whose definition hash changed, is
 * quarantined until a person accepts it. Each observation is one IMMEDIATE transaction, so two
 * gateways seeing a server for the first time at once cannot both claim first use.
 */
export class ToolPinStore {
  constructor(private readonly db: SqliteDatabase) {}

  private change(server: string, tool: string): void {
    this.db.prepare("INSERT INTO changes (kind, ref, at) VALUES ('tool', ?, ?)").run(`${server}/${tool}`, Date.now() / 1000);
  }

  /** Records a listing; returns the tools it newly quarantined (new or changed definitions). */
  observe(server: string, tools: readonly SeenTool[]): { quarantined: ToolPin[]; firstUse: boolean } {
    return this.db
      .transaction(() => {
        const t = Date.now() / 1000;
        const known = new Map((this.db.prepare('SELECT * FROM mcp_tool_pins WHERE server = ?').all(server) as Row[]).map((r) => [r['tool'] as string, r]));
        const firstUse = known.size === 0;
        const quarantined: ToolPin[] = [];
        const insert = this.db.prepare('INSERT OR IGNORE INTO mcp_tool_pins (server, tool, definition_hash, definition, status, first_seen, updated_at, accepted_by, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
        const update = this.db.prepare("UPDATE mcp_tool_pins SET definition_hash = ?, definition = ?, status = 'quarantined', updated_at = ?, accepted_by = NULL, accepted_at = NULL WHERE server = ? AND tool = ?");
        for (const tool of tools) {
          const row = known.get(tool.name);
          if (row && row['definition_hash'] === tool.hash) continue;
          const json = JSON.stringify(tool.definition);
          if (!row) {
            if (firstUse) insert.run(server, tool.name, tool.hash, json, 'accepted', t, t, TOFU_ACCEPTOR, t);
            else insert.run(server, tool.name, tool.hash, json, 'quarantined', t, t, null, null);
          } else update.run(tool.hash, json, t, server, tool.name);
          this.change(server, tool.name);
          if (!firstUse) quarantined.push(toPin(this.db.prepare('SELECT * FROM mcp_tool_pins WHERE server = ? AND tool = ?').get(server, tool.name) as Row));
          known.set(tool.name, { definition_hash: tool.hash });
        }
        return { quarantined, firstUse: firstUse && tools.length > 0 };
      })
      .immediate();
  }

  get(server: string, tool: string): ToolPin | undefined {
    const r = this.db.prepare('SELECT * FROM mcp_tool_pins WHERE server = ? AND tool = ?').get(server, tool) as Row | undefined;
    return r ? toPin(r) : undefined;
  }

  list(opts: { server?: string } = {}): ToolPin[] {
    const rows = (opts.server === undefined
      ? this.db.prepare('SELECT * FROM mcp_tool_pins ORDER BY server, tool').all()
      : this.db.prepare('SELECT * FROM mcp_tool_pins WHERE server = ? ORDER BY tool').all(opts.server)) as Row[];
    return rows.map(toPin);
  }

  /** Accepts a quarantined tool's current definition; undefined when there is no such tool. */
  accept(server: string, tool: string, by: string): { pin: ToolPin; wasQuarantined: boolean } | undefined {
    return this.db
      .transaction(() => {
        const r = this.db.prepare('SELECT * FROM mcp_tool_pins WHERE server = ? AND tool = ?').get(server, tool) as Row | undefined;
        if (!r) return undefined;
        const wasQuarantined = r['status'] === 'quarantined';
        if (wasQuarantined) {
          const t = Date.now() / 1000;
          this.db.prepare("UPDATE mcp_tool_pins SET status = 'accepted', accepted_by = ?, accepted_at = ?, updated_at = ? WHERE server = ? AND tool = ?").run(by, t, t, server, tool);
          this.change(server, tool);
        }
        return { pin: toPin(this.db.prepare('SELECT * FROM mcp_tool_pins WHERE server = ? AND tool = ?').get(server, tool) as Row), wasQuarantined };
      })
      .immediate();
  }
}
