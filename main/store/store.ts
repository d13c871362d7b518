import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Approval } from '../../shared/approvals.js';
import type { Grant } from '../../shared/approvals.js';
import { checkpointsDir, keysDir } from '../paths.js';
import { ApprovalStore, type NewApproval } from './approvals.js';
import { AuditLog, type AuditEntry, type AuditEntryInput, type AuditQuery, type Checkpoint } from './audit-log.js';
import { openDatabase, type OpenDatabaseOptions, type SqliteDatabase } from './database.js';
import { waitForChange, watchChanges, type Change } from './change-feed.js';
import { GrantStore, type NewGrant } from './grants.js';
import { ServerStore } from './servers.js';
import { ToolPinStore, type SeenTool, type ToolPin } from './tool-pins.js';
import type { McpServerConfig, McpServerInput } from '../../shared/mcp-server-config.js';
import type { Result } from '../../shared/result.js';
import { loadOrCreateCommitmentKey, loadOrCreateSigningKeys } from './keys.js';

/** A stored policy version: the exact text that made decisions. */
export interface PolicyVersion {
  hash: string;
  policyId: string;
  sourcePath: string | null;
  text: string;
  createdAt: number;
}

/**
 * The one small interface every caller uses (runtime, CLI, gateway, console). Async at the
 * boundary so a PostgreSQL backend (shared queue and audit, LISTEN/NOTIFY for live updates) can
 * replace SQLite without touching callers.
 */
export interface Store {
  readonly path: string;
  policies: {
    record(text: string, policyId: string, sourcePath: string | null): Promise<string>;
    get(hash: string): Promise<PolicyVersion | undefined>;
    list(limit?: number): Promise<PolicyVersion[]>;
  };
  audit: {
    append(input: AuditEntryInput): Promise<AuditEntry>;
    /** Appends several entries in one transaction, in order (group commit for busy callers). */
    appendMany(inputs: readonly AuditEntryInput[]): Promise<AuditEntry[]>;
    query(q?: AuditQuery): Promise<AuditEntry[]>;
    get(seq: number): Promise<AuditEntry | undefined>;
    redact(seq: number): Promise<boolean>;
    checkpoint(): Promise<Checkpoint | undefined>;
    head(): Promise<number>;
  };
  approvals: {
    createOrAttach(req: NewApproval): Promise<Approval>;
    get(id: string): Promise<Approval | undefined>;
    list(opts?: Parameters<ApprovalStore['list']>[0]): Promise<Approval[]>;
    approve(id: string, opts: Parameters<ApprovalStore['approve']>[1]): Promise<ReturnType<ApprovalStore['approve']>>;
    deny(id: string, opts: Parameters<ApprovalStore['deny']>[1]): Promise<ReturnType<ApprovalStore['deny']>>;
    cancel(id: string, opts?: Parameters<ApprovalStore['cancel']>[1]): Promise<ReturnType<ApprovalStore['cancel']>>;
    consume(id: string): Promise<Approval | undefined>;
    consumeApproved(actor: string, capability: string, argumentsHash: string): Promise<Approval | undefined>;
    /** Resolves when the request leaves `pending` (any process), or with the pending one at the timeout. */
    waitForResolution(id: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Approval | undefined>;
  };
  grants: {
    create(req: NewGrant): Promise<Grant>;
    use(req: { actor: string; capability: string; environment: string; sessionId?: string | null }): Promise<Grant | undefined>;
    revoke(id: string, by: string): Promise<Grant | undefined>;
    list(opts?: { activeOnly?: boolean }): Promise<(Grant & { tampered: boolean })[]>;
    /** Records an audit entry for every grant that expired since the last sweep. */
    sweepExpired(): Promise<Grant[]>;
  };
  changes: {
    watch(onChanges: (changes: Change[]) => void, opts?: { sinceId?: number; intervalMs?: number }): () => void;
  };
  /** Configured upstream MCP servers; every change is a `server` row in `changes`. */
  servers: {
    list(): Promise<McpServerConfig[]>;
    get(name: string): Promise<McpServerConfig | undefined>;
    upsert(input: McpServerInput): Promise<Result<McpServerConfig>>;
    remove(name: string): Promise<boolean>;
  };
  /** Pinned MCP tool definitions (trust on first use, then quarantine on change); audited. */
  tools: {
    observe(server: string, tools: readonly SeenTool[]): Promise<{ quarantined: ToolPin[]; firstUse: boolean }>;
    get(server: string, tool: string): Promise<ToolPin | undefined>;
    list(opts?: { server?: string }): Promise<ToolPin[]>;
    accept(server: string, tool: string, by: string): Promise<{ pin: ToolPin; wasQuarantined: boolean } | undefined>;
  };
  close(): Promise<void>;
}

export interface OpenStoreOptions extends OpenDatabaseOptions {
  env?: Record<string, string | undefined>;
  checkpointEvery?: number;
  checkpointSeconds?: number;
}

const lifecycle = (kind: string, g: Grant, decision: string, by: string, reason: string): AuditEntryInput => ({
  kind,
  actor: g.actor,
  capability: g.capability,
  tool: 'capfence.grant',
  decision,
  authorized: kind === 'grant',
  reason,
  rule: null,
  policyHash: '',
  environment: g.environment,
  sessionId: g.sessionId,
  approvalId: g.id,
  approver: by,
  approverReason: g.reason,
  payload: { grant: g.id, uses: g.usesLeft, expires_at: g.expiresAt, session: g.sessionId },
});

const toolEntry = (p: ToolPin, decision: string, authorized: boolean, by: string, reason: string): AuditEntryInput => ({
  kind: 'tool',
  actor: by,
  capability: `mcp.${p.server}.${p.tool}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
  tool: p.tool,
  decision,
  authorized,
  reason,
  rule: null,
  policyHash: '',
  approver: by,
  payload: { server: p.server, tool: p.tool, definition_hash: p.definitionHash, definition: p.definition },
});

/** Opens the shared SQLite store at `path` (created with its keys on first use). */
export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  const env = opts.env ?? process.env;
  const abs = path === ':memory:' ? path : resolve(path);
  const db: SqliteDatabase = openDatabase(abs, opts);
  try {
    const keys = loadOrCreateSigningKeys(keysDir(env));
    const audit = new AuditLog(db, {
      dbPath: abs,
      keys,
      commitmentKey: loadOrCreateCommitmentKey(keysDir(env)),
      checkpointsDir: checkpointsDir(env),
      ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
      ...(opts.checkpointSeconds !== undefined ? { checkpointSeconds: opts.checkpointSeconds } : {}),
    });
    const grants = new GrantStore(db, loadGrantKey(env));
    const approvals = new ApprovalStore(db, grants);
    return makeStore(abs, db, audit, approvals, grants);
  } catch (e) {
    db.close();
    throw e;
  }
}

function loadGrantKey(env: Record<string, string | undefined>): Buffer {
  // Grants get their own key, derived apart from payload commitments.
  return createHash('sha256').update('capfence-grants-v1').update(loadOrCreateCommitmentKey(keysDir(env))).digest();
}

function makeStore(path: string, db: SqliteDatabase, audit: AuditLog, approvals: ApprovalStore, grants: GrantStore): Store {
  let closed = false;
  const insertPolicy = db.prepare('INSERT OR IGNORE INTO policy_versions (hash, policy_id, source_path, text, created_at) VALUES (?, ?, ?, ?, ?)');
  const toVersion = (r: Record<string, unknown>): PolicyVersion => ({
    hash: r['hash'] as string,
    policyId: r['policy_id'] as string,
    sourcePath: (r['source_path'] as string | null) ?? null,
    text: r['text'] as string,
    createdAt: r['created_at'] as number,
  });
  // Expired grants get their audit entry within seconds even when nobody looks at them.
  const sweep = async (): Promise<Grant[]> => {
    const expired = grants.takeExpired();
    if (expired.length > 0) audit.appendMany(expired.map((g) => lifecycle('grant_expire', g, 'expired', 'capfence', `grant ${g.id} expired`)));
    return expired;
  };
  const servers = new ServerStore(db);
  const toolPins = new ToolPinStore(db);
  const sweeper = setInterval(() => void sweep().catch(() => undefined), 5000);
  sweeper.unref();
  const checkpointer = setInterval(() => {
    try {
      audit.checkpoint();
    } catch {
      // A locked database: the next tick tries again.
    }
  }, 10_000);
  checkpointer.unref();

  return {
    path,
    policies: {
      async record(text, policyId, sourcePath) {
        const hash = createHash('sha256').update(text).digest('hex');
        if (insertPolicy.run(hash, policyId, sourcePath, text, Date.now() / 1000).changes === 1) {
          db.prepare("INSERT INTO changes (kind, ref, at) VALUES ('policy', ?, ?)").run(hash, Date.now() / 1000);
        }
        return hash;
      },
      async get(hash) {
        const r = db.prepare('SELECT * FROM policy_versions WHERE hash = ?').get(hash) as Record<string, unknown> | undefined;
        return r ? toVersion(r) : undefined;
      },
      async list(limit = 100) {
        return (db.prepare('SELECT * FROM policy_versions ORDER BY created_at DESC LIMIT ?').all(limit) as Record<string, unknown>[]).map(toVersion);
      },
    },
    audit: {
      append: async (input) => audit.append(input),
      appendMany: async (inputs) => audit.appendMany(inputs),
      query: async (q) => audit.query(q),
      get: async (seq) => audit.get(seq),
      redact: async (seq) => audit.redact(seq),
      checkpoint: async () => audit.checkpoint(),
      head: async () => audit.headSeq(),
    },
    approvals: {
      createOrAttach: async (req) => approvals.createOrAttach(req),
      get: async (id) => approvals.get(id),
      list: async (opts) => approvals.list(opts),
      approve: async (id, opts) => {
        const r = approvals.approve(id, opts);
        if (r.ok && r.value.grantId) {
          const g = grants.list().find((x) => x.id === r.value.grantId);
          if (g) audit.append(lifecycle('grant', g, 'grant', opts.by, `granted with approval ${id}`));
        }
        return r;
      },
      deny: async (id, opts) => approvals.deny(id, opts),
      cancel: async (id, opts) => approvals.cancel(id, opts),
      consume: async (id) => approvals.consume(id),
      consumeApproved: async (a, c, h) => approvals.consumeApproved(a, c, h),
      waitForResolution: async (id, opts) => {
        const resolved = await waitForChange(
          db,
          () => {
            const a = approvals.get(id);
            return a && a.status !== 'pending' ? a : undefined;
          },
          { timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) },
        );
        return resolved ?? approvals.get(id);
      },
    },
    grants: {
      create: async (req) => {
        const g = grants.create(req);
        audit.append(lifecycle('grant', g, 'grant', req.grantedBy, `grant ${g.id} created`));
        return g;
      },
      use: async (req) => grants.use(req),
      revoke: async (id, by) => {
        const g = grants.revoke(id, by);
        if (g) audit.append(lifecycle('revoke', g, 'revoked', by, `grant ${g.id} revoked`));
        return g;
      },
      list: async (opts) => grants.list(opts),
      sweepExpired: sweep,
    },
    changes: {
      watch: (onChanges, opts = {}) => watchChanges(db, opts, onChanges),
    },
    servers: {
      list: async () => servers.list(),
      get: async (name) => servers.get(name),
      upsert: async (input) => servers.upsert(input),
      remove: async (name) => servers.remove(name),
    },
    tools: {
      observe: async (server, seen) => {
        const r = toolPins.observe(server, seen);
        for (const p of r.quarantined) audit.append(toolEntry(p, 'quarantine', false, 'capfence', `tool definition changed: \`${p.server}/${p.tool}\` quarantined until accepted`));
        return r;
      },
      get: async (server, tool) => toolPins.get(server, tool),
      list: async (opts) => toolPins.list(opts),
      accept: async (server, tool, by) => {
        const r = toolPins.accept(server, tool, by);
        if (r?.wasQuarantined) audit.append(toolEntry(r.pin, 'accept', true, by, `tool definition accepted: \`${server}/${tool}\``));
        return r;
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      clearInterval(checkpointer);
      try {
        audit.close();
      } finally {
        db.close();
      }
    },
  };
}
