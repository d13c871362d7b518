import { entryCanonical } from './audit-entry-text.js';
import type { SqliteDatabase } from './database.js';

/** One schema step. Migrations are numbered from 1, append-only, never edited once released. */
export interface Migration {
  version: number;
  name: string;
  up: (db: SqliteDatabase) => void;
}

/**
 * Every migration, in order. Add new ones at the end with the next number; each has a test in
 * `test/main/store/migrations.test.ts`.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'policy versions',
    up: (db) =>
      db.exec(`
        CREATE TABLE policy_versions (
          hash TEXT PRIMARY KEY,          -- sha256 of the exact policy text
          policy_id TEXT NOT NULL,
          source_path TEXT,
          text TEXT NOT NULL,
          created_at REAL NOT NULL
        );
      `),
  },
  {
    version: 2,
    name: 'change feed',
    // Every write that another process may want to see (an audit entry, an approval, a grant, a
    // policy save) also inserts a row here in the same transaction, so watchers in other processes
    // notice it by polling `PRAGMA data_version` and reading `changes` past their cursor.
    up: (db) =>
      db.exec(`
        CREATE TABLE changes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL,             -- 'audit' | 'approval' | 'grant' | 'policy' | 'server'
          ref TEXT NOT NULL,              -- the changed row's id (audit seq, approval id, ...)
          at REAL NOT NULL                -- unix seconds
        );
      `),
  },
  {
    version: 3,
    name: 'audit chain',
    up: (db) =>
      db.exec(`
        CREATE TABLE audit_entries (
          seq INTEGER PRIMARY KEY,        -- gapless from 1; part of the hash
          at REAL NOT NULL,               -- unix seconds
          kind TEXT NOT NULL,             -- decision | approval | grant | grant_use | revoke | tool
          actor TEXT NOT NULL,
          capability TEXT NOT NULL,
          tool TEXT NOT NULL,
          decision TEXT NOT NULL,
          authorized INTEGER NOT NULL,
          reason TEXT NOT NULL,
          rule TEXT,
          policy_hash TEXT NOT NULL,
          environment TEXT,
          session_id TEXT,
          approval_id TEXT,
          approver TEXT,
          approver_reason TEXT,
          payload_commitment TEXT NOT NULL, -- HMAC-SHA256 of the canonical payload
          prev_hash TEXT NOT NULL,
          entry_hash TEXT NOT NULL
        );
        CREATE INDEX audit_by_actor ON audit_entries(actor, seq);
        CREATE INDEX audit_by_capability ON audit_entries(capability, seq);
        CREATE INDEX audit_by_decision ON audit_entries(decision, seq);
        CREATE INDEX audit_by_time ON audit_entries(at);
        -- The raw payload lives beside the chain so it can be redacted without breaking it.
        CREATE TABLE audit_payloads (
          seq INTEGER PRIMARY KEY,
          payload TEXT,
          redacted_at REAL
        );
        CREATE TABLE audit_checkpoints (
          seq INTEGER PRIMARY KEY,        -- the last entry covered
          head_hash TEXT NOT NULL,
          at REAL NOT NULL,
          key_id TEXT NOT NULL,
          signature TEXT NOT NULL         -- base64 ed25519 over the canonical checkpoint
        );
        CREATE TABLE audit_keys (
          key_id TEXT PRIMARY KEY,
          public_key_pem TEXT NOT NULL,
          first_used_at REAL NOT NULL
        );
      `),
  },
  {
    version: 4,
    name: 'approvals',
    up: (db) =>
      db.exec(`
        CREATE TABLE approvals (
          id TEXT PRIMARY KEY,
          actor TEXT NOT NULL,
          capability TEXT NOT NULL,
          tool TEXT NOT NULL,
          arguments TEXT NOT NULL,        -- JSON
          arguments_hash TEXT NOT NULL,   -- sha256 of the canonical arguments
          reason TEXT NOT NULL,
          rule TEXT,
          policy_hash TEXT,
          session_id TEXT,
          risk REAL NOT NULL DEFAULT 0.5,
          status TEXT NOT NULL,           -- pending | approved | denied | expired | cancelled | consumed
          created_at REAL NOT NULL,
          expires_at REAL,
          resolved_at REAL,
          resolved_by TEXT,
          resolution_reason TEXT,
          edited_arguments TEXT,          -- JSON, when the approver changed the arguments
          grant_id TEXT
        );
        CREATE INDEX approvals_pending ON approvals(status, created_at);
        CREATE INDEX approvals_binding ON approvals(actor, capability, arguments_hash, status);
      `),
  },
  {
    version: 5,
    name: 'grants',
    up: (db) =>
      db.exec(`
        CREATE TABLE grants (
          id TEXT PRIMARY KEY,
          actor TEXT NOT NULL,            -- '*' = any actor
          capability TEXT NOT NULL,
          environment TEXT NOT NULL,      -- '*' = any
          session_id TEXT,
          uses_left INTEGER,              -- NULL = unlimited
          created_at REAL NOT NULL,
          expires_at REAL,                -- NULL = until revoked
          granted_by TEXT NOT NULL,
          reason TEXT,
          revoked_at REAL,
          revoked_by TEXT,
          expiry_recorded INTEGER NOT NULL DEFAULT 0, -- the audit log has its expiry entry
          signature TEXT NOT NULL         -- HMAC over every field that gives the grant its power
        );
        CREATE INDEX grants_actor ON grants(actor);
      `),
  },
  {
    version: 6,
    name: 'mcp tool pins',
    up: (db) =>
      db.exec(`
        CREATE TABLE mcp_tool_pins (
          server TEXT NOT NULL,
          tool TEXT NOT NULL,
          definition_hash TEXT NOT NULL,   -- sha256 of the canonical {name, description, inputSchema, ...}
          definition TEXT NOT NULL,        -- the JSON definition last seen
          status TEXT NOT NULL,            -- 'accepted' | 'quarantined'
          first_seen REAL NOT NULL,
          updated_at REAL NOT NULL,
          accepted_by TEXT,
          accepted_at REAL,
          PRIMARY KEY (server, tool)
        );
      `),
  },
  {
    version: 7,
    name: 'mcp servers',
    up: (db) =>
      db.exec(`
        CREATE TABLE mcp_servers (
          name TEXT PRIMARY KEY,
          kind TEXT NOT NULL,              -- 'stdio' | 'http'
          command TEXT,                    -- JSON array: the stdio command and its arguments
          env TEXT,                        -- JSON object of extra environment variables
          cwd TEXT,
          url TEXT,                        -- remote Streamable HTTP endpoint
          headers TEXT,                    -- JSON object of headers sent upstream
          enabled INTEGER NOT NULL DEFAULT 1,
          created_at REAL NOT NULL,
          updated_at REAL NOT NULL
        );
      `),
  },
  {
    version: 8,
    name: 'lean audit indexes',
    // Every secondary index is written on every decision: these three cost about half of an
    // audited decision's time. Console filters scan backwards from the newest entry instead
    // (a million rows in well under a second), and the time index stays for range queries.
    up: (db) =>
      db.exec(`
        DROP INDEX IF EXISTS audit_by_actor;
        DROP INDEX IF EXISTS audit_by_capability;
        DROP INDEX IF EXISTS audit_by_decision;
      `),
  },
  {
    version: 9,
    name: 'audit entries keep their canonical text',
    // Verifying rebuilt each entry's canonical text from nineteen columns, and that assembly cost
    // more than the hash. Now the exact text the hash covers is what is stored (`audit_chain`), and
    // `audit_entries` becomes a view that reads every column out of it: verification hashes what is
    // there, and no column can disagree with the chain. (Generated columns would do the same, but
    // SQLite computes them on every insert; the view costs nothing until it is read.)
    up: (db) => {
      db.exec(`
        CREATE TABLE audit_chain (
          seq INTEGER PRIMARY KEY,
          canonical TEXT NOT NULL,        -- the RFC 8785 JSON entry_hash covers
          entry_hash TEXT NOT NULL
        );
      `);
      const page = db.prepare(
        `SELECT seq, at, kind, actor, capability, tool, decision, authorized, reason, rule, policy_hash, environment, session_id, approval_id, approver,
           approver_reason, payload_commitment, prev_hash, entry_hash FROM audit_entries WHERE seq > ? ORDER BY seq LIMIT 10000`,
      );
      const insert = db.prepare('INSERT INTO audit_chain (seq, canonical, entry_hash) VALUES (?, ?, ?)');
      // About 19 s per million entries, once: say so rather than look hung (stderr, never stdout,
      // which is the stdio gateway's protocol channel).
      const total = db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number;
      const started = performance.now();
      const announce = total >= 100_000;
      if (announce) process.stderr.write(`capfence: upgrading the audit log (${total.toLocaleString('en')} entries) to store each entry's hashed text; this runs once\n`);
      // The text is built from the columns as they are: a row edited by hand keeps failing its hash.
      for (let after = -Infinity; ; ) {
        const rows = page.all(after) as OldAuditRow[];
        if (rows.length === 0) break;
        for (const r of rows) {
          const canonical = entryCanonical({
            seq: r.seq, at: r.at, kind: r.kind, actor: r.actor, capability: r.capability, tool: r.tool, decision: r.decision, authorized: r.authorized === 1,
            reason: r.reason, rule: r.rule, policyHash: r.policy_hash, environment: r.environment, sessionId: r.session_id, approvalId: r.approval_id,
            approver: r.approver, approverReason: r.approver_reason, payloadCommitment: r.payload_commitment, prevHash: r.prev_hash,
          });
          insert.run(r.seq, canonical, r.entry_hash);
        }
        after = (rows[rows.length - 1] as OldAuditRow).seq;
      }
      db.exec(`
        DROP TABLE audit_entries;
        CREATE VIEW audit_entries AS SELECT seq, canonical, entry_hash, ${AUDIT_VIEW_COLUMNS} FROM audit_chain;
        -- The same expression as the view's \`at\`, so time-range filters on the view use it.
        CREATE INDEX audit_chain_by_time ON audit_chain(${fieldOf('at')});
        -- Entries other than decisions (grants, approvals, revocations, tool changes) are rare
        -- and are what a kind filter looks for: a partial index holds just them. An index over
        -- every row would be another page written per decision (one on kind cost 18% of
        -- audited decisions/s); this one costs a substring test per append.
        CREATE INDEX audit_chain_other_kinds ON audit_chain(seq) WHERE ${notADecision()};
      `);
      if (announce) process.stderr.write(`capfence: audit log upgraded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    },
  },
];

interface OldAuditRow {
  seq: number; at: number; kind: string; actor: string; capability: string; tool: string; decision: string; authorized: number; reason: string;
  rule: string | null; policy_hash: string; environment: string | null; session_id: string | null; approval_id: string | null; approver: string | null;
  approver_reason: string | null; payload_commitment: string; prev_hash: string; entry_hash: string;
}

/**
 * True for entries whose kind is not `decision`, tested on the raw text: `"kind":"decision"`
 * can only occur as that key (every quote inside a JSON string is escaped). Queries must repeat
 * it to the letter for SQLite to use the partial index.
 */
export const notADecision = (canonical = 'canonical') => `instr(${canonical}, '"kind":"decision"') = 0`;

/**
 * One field of the canonical text. A text that is not JSON (edited by hand) reads as NULL
 * instead of failing every query that touches it; `verify` names it.
 */
const fieldOf = (name: string) => `iif(json_valid(canonical), canonical ->> '$.${name}', NULL)`;

const AUDIT_VIEW_COLUMNS = [
  'at', 'kind', 'actor', 'capability', 'tool', 'decision', 'authorized', 'reason', 'rule', 'policy_hash', 'environment', 'session_id', 'approval_id',
  'approver', 'approver_reason', 'payload_commitment', 'prev_hash',
]
  .map((name) => `${fieldOf(name)} AS ${name}`)
  .join(', ');
