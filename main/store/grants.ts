import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { grantActive, type Grant } from '../../shared/approvals.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { capabilityCovers, parseCapability } from '../../shared/policy/capability.js';
import type { SqliteDatabase } from './database.js';

export interface NewGrant {
  actor: string;
  capability: string;
  environment?: string;
  /** Time-limited; absent = until revoked (or used up). */
  durationSeconds?: number;
  sessionId?: string | null;
  /** Once (1) or N uses; absent = unlimited. */
  uses?: number;
  grantedBy: string;
  reason?: string | null;
}

export class GrantError extends Error {
  override name = 'GrantError';
}

type Row = Record<string, unknown>;
const now = () => Date.now() / 1000;

function toGrant(r: Row): Grant {
  return {
    id: r['id'] as string,
    actor: r['actor'] as string,
    capability: r['capability'] as string,
    environment: r['environment'] as string,
    sessionId: (r['session_id'] as string | null) ?? null,
    usesLeft: (r['uses_left'] as number | null) ?? null,
    createdAt: r['created_at'] as number,
    expiresAt: (r['expires_at'] as number | null) ?? null,
    grantedBy: r['granted_by'] as string,
    reason: (r['reason'] as string | null) ?? null,
    revokedAt: (r['revoked_at'] as number | null) ?? null,
    revokedBy: (r['revoked_by'] as string | null) ?? null,
  };
}

/**
 * Durable grants. Each row is HMAC-signed over every field that gives it power (actor,
 * capability, environment, session, uses, expiry, who granted it, revocation) with a key kept
 * outside the database, and re-signed on every change: a row edited or inserted by hand is never
 * honoured. Use is atomic across processes, so two callers cannot both spend the last use.
 */
export class GrantStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly key: Buffer,
  ) {}

  private sign(g: Grant): string {
    return createHmac('sha256', this.key).update(canonicalJson({ ...g, v: 1 })).digest('hex');
  }

  private signatureValid(r: Row): boolean {
    const want = Buffer.from(this.sign(toGrant(r)), 'hex');
    const got = Buffer.from(String(r['signature'] ?? ''), 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private change(id: string): void {
    this.db.prepare("INSERT INTO changes (kind, ref, at) VALUES ('grant', ?, ?)").run(id, now());
  }

  private write(g: Grant, insert: boolean): void {
    const sig = this.sign(g);
    if (insert) {
      this.db
        .prepare('INSERT INTO grants (id, actor, capability, environment, session_id, uses_left, created_at, expires_at, granted_by, reason, revoked_at, revoked_by, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(g.id, g.actor, g.capability, g.environment, g.sessionId, g.usesLeft, g.createdAt, g.expiresAt, g.grantedBy, g.reason, g.revokedAt, g.revokedBy, sig);
    } else {
      this.db.prepare('UPDATE grants SET uses_left = ?, revoked_at = ?, revoked_by = ?, signature = ? WHERE id = ?').run(g.usesLeft, g.revokedAt, g.revokedBy, sig, g.id);
    }
    this.change(g.id);
  }

  /** Creates a grant inside the caller's transaction (approve-and-grant is one transaction). */
  createInTransaction(req: NewGrant): Grant {
    if (!parseCapability(req.capability).ok) throw new GrantError(`invalid capability \`${req.capability}\``);
    if (req.actor === '') throw new GrantError('a grant needs an actor (`*` for any)');
    if (req.durationSeconds !== undefined && !(req.durationSeconds > 0)) throw new GrantError('`--duration` must be a positive number of seconds');
    if (req.uses !== undefined && !(Number.isInteger(req.uses) && req.uses > 0)) throw new GrantError('`--uses` must be a positive whole number');
    const t = now();
    const g: Grant = {
      id: randomUUID(),
      actor: req.actor,
      capability: req.capability,
      environment: req.environment ?? '*',
      sessionId: req.sessionId ?? null,
      usesLeft: req.uses ?? null,
      createdAt: t,
      expiresAt: req.durationSeconds !== undefined ? t + req.durationSeconds : null,
      grantedBy: req.grantedBy,
      reason: req.reason ?? null,
      revokedAt: null,
      revokedBy: null,
    };
    this.write(g, true);
    return g;
  }

  /** Creates a grant. Throws `GrantError` on a bad capability, duration or use count. */
  create(req: NewGrant): Grant {
    return this.db.transaction(() => this.createInTransaction(req)).immediate();
  }

  /**
   * Finds the oldest active, untampered grant covering the request and spends one use of it,
   * atomically. A grant only ever satisfies a require_approval decision: the runtime asks only then.
   */
  use(req: { actor: string; capability: string; environment: string; sessionId?: string | null }): Grant | undefined {
    const wanted = parseCapability(req.capability);
    if (!wanted.ok) return undefined;
    return this.db
      .transaction(() => {
        const t = now();
        const rows = this.db.prepare("SELECT * FROM grants WHERE (actor = ? OR actor = '*') AND revoked_at IS NULL ORDER BY created_at").all(req.actor) as Row[];
        for (const r of rows) {
          const g = toGrant(r);
          if (!grantActive(g, t)) continue;
          if (g.environment !== '*' && g.environment !== req.environment) continue;
          if (g.sessionId !== null && g.sessionId !== (req.sessionId ?? null)) continue;
          const pattern = parseCapability(g.capability);
          if (!pattern.ok || !capabilityCovers(pattern.value, wanted.value)) continue;
          if (!this.signatureValid(r)) continue;
          if (g.usesLeft !== null) {
            g.usesLeft -= 1;
            this.write(g, false);
          }
          return g;
        }
        return undefined;
      })
      .immediate();
  }

  /** Revokes a grant; false when it does not exist or is already revoked. */
  revoke(id: string, by: string): Grant | undefined {
    return this.db
      .transaction(() => {
        const r = this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as Row | undefined;
        if (!r || r['revoked_at'] !== null) return undefined;
        const g = { ...toGrant(r), revokedAt: now(), revokedBy: by };
        this.write(g, false);
        return g;
      })
      .immediate();
  }

  /** Grants, newest first; `activeOnly` hides revoked, expired, used-up and tampered ones. */
  list(opts: { activeOnly?: boolean } = {}): (Grant & { tampered: boolean })[] {
    const t = now();
    return (this.db.prepare('SELECT * FROM grants ORDER BY created_at DESC').all() as Row[])
      .map((r) => ({ ...toGrant(r), tampered: !this.signatureValid(r) }))
      .filter((g) => !opts.activeOnly || (grantActive(g, t) && !g.tampered));
  }

  /** Grants that expired since the last call, marked so each expiry is recorded once. */
  takeExpired(at = now()): Grant[] {
    return this.db
      .transaction(() => {
        const rows = this.db.prepare('SELECT * FROM grants WHERE expiry_recorded = 0 AND revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at < ?').all(at) as Row[];
        for (const r of rows) this.db.prepare('UPDATE grants SET expiry_recorded = 1 WHERE id = ?').run(r['id']);
        return rows.map(toGrant);
      })
      .immediate();
  }
}
