import type { DecisionInput } from '../policy/types.js';

/** Metadata keys the original accepts on an event; anything else is rejected, as there. */
export const METADATA_KEYS = [
  'session_id', 'scope', 'payload', 'require_approval', 'risk_category', 'payload_hash', 'threshold', 'latency_ms',
  'decision', 'reason', 'timestamp', 'entry_hash', 'signature', 'policy_decision', 'verdict', 'id', 'caller_depth',
  'capability', 'tool_name', 'risk_level', 'framework',
] as const;
const METADATA_SET = new Set<string>(METADATA_KEYS);
const STRING_KEYS = new Set(['session_id', 'scope', 'payload_hash', 'capability', 'tool_name', 'risk_level', 'framework']);

/** Legacy risk names the original maps to a level. */
const RISK_ALIASES: Record<string, string> = {
  command_execution: 'critical',
  execute: 'critical',
  payment_initiation: 'high',
  delete: 'high',
  write: 'medium',
  read_only: 'low',
  read: 'low',
};
const RISK_LEVELS = new Set(['low', 'medium', 'high', 'critical']);

export class EventValidationError extends Error {
  override name = 'EventValidationError';
}

/** The fields of an agent action; extra keys become metadata (the original's `**metadata`). */
export interface ActionEventInit {
  actor: string;
  action: string;
  resource: string;
  environment?: string;
  risk?: string | number;
  metadata?: Record<string, unknown>;
  [metadataKey: string]: unknown;
}

/** An agent action to judge: who does what to which resource where, with metadata. Immutable. */
export class ActionEvent {
  private constructor(
    readonly actor: string,
    readonly action: string,
    readonly resource: string,
    readonly environment: string,
    readonly risk: string | number,
    readonly metadata: Readonly<Record<string, unknown>>,
  ) {
    Object.freeze(this);
  }

  /**
   * Builds and validates an event as the original's `ActionEvent.create`: extra keys become
   * metadata, restricted to the original's whitelist. Throws `EventValidationError`.
   */
  static create(init: ActionEventInit): ActionEvent {
    const { actor, action, resource, environment = 'development', risk = 'low', metadata: explicit, ...rest } = init;
    const metadata = { ...(explicit ?? {}), ...rest };
    for (const [field, value] of [['actor', actor], ['action', action], ['resource', resource], ['environment', environment]] as const) {
      if (typeof value !== 'string' || value === '') throw new EventValidationError(`${field} must be a non-empty string`);
    }
    return new ActionEvent(actor, action, resource, environment, validateRisk(risk), validateMetadata(metadata));
  }

  /** The capability this event asks for: `metadata.capability`, else `resource.action.scope|environment`. */
  get capability(): string {
    const cap = this.metadata['capability'];
    if (cap !== null && cap !== undefined) return String(cap);
    const scope = this.metadata['scope'];
    return `${this.resource}.${this.action}.${typeof scope === 'string' && scope !== '' ? scope : this.environment || '*'}`;
  }

  /** The payload conditions look at (`metadata.payload`). */
  get payload(): Record<string, unknown> {
    const p = this.metadata['payload'];
    return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
  }

  /** The decision input the engine sees, as the original's runtime builds it. */
  toDecisionInput(): DecisionInput {
    const levelFromMeta = this.metadata['risk_level'];
    const context: Record<string, unknown> = {
      ...this.metadata,
      actor: this.actor,
      action: this.action,
      resource: this.resource,
      environment: this.environment,
      risk_level: typeof this.risk === 'string' ? this.risk.toLowerCase() : typeof levelFromMeta === 'string' ? levelFromMeta.toLowerCase() : null,
    };
    return { capability: this.capability, context, payload: { ...this.payload } };
  }

  /** The original's `confidence`: the numeric risk, or a level's weight. */
  get riskScore(): number {
    if (typeof this.risk === 'number') return this.risk;
    return ({ low: 0.2, medium: 0.5, high: 0.8, critical: 1.0 } as Record<string, number>)[this.risk.toLowerCase()] ?? 1.0;
  }
}

function validateRisk(risk: unknown): string | number {
  if (typeof risk === 'boolean') return risk ? 1 : 0;
  if (typeof risk === 'number') {
    if (!(risk >= 0)) throw new EventValidationError('risk score must be a non-negative float');
    return risk;
  }
  if (typeof risk === 'string') {
    if (RISK_LEVELS.has(risk.toLowerCase())) return risk;
    const alias = RISK_ALIASES[risk];
    if (alias) return alias;
    throw new EventValidationError("risk string must be one of: 'low', 'medium', 'high', 'critical'");
  }
  throw new EventValidationError('risk must be a string or a float');
}

function validateMetadata(metadata: Record<string, unknown>): Readonly<Record<string, unknown>> {
  for (const [k, v] of Object.entries(metadata)) {
    if (!METADATA_SET.has(k)) {
      throw new EventValidationError(`Metadata key '${k}' is invalid. Allowed keys are: [${[...METADATA_KEYS].sort().map((x) => `'${x}'`).join(', ')}]`);
    }
    if (v === null || v === undefined) continue;
    if (STRING_KEYS.has(k) && typeof v !== 'string') throw new EventValidationError(`metadata['${k}'] must be a string`);
    if (k === 'payload' && (typeof v !== 'object' || Array.isArray(v))) throw new EventValidationError(`metadata['${k}'] must be a dictionary`);
    if (k === 'require_approval' && typeof v !== 'boolean') throw new EventValidationError(`metadata['${k}'] must be a boolean`);
    if (k === 'latency_ms' && typeof v !== 'number') throw new EventValidationError(`metadata['${k}'] must be an integer or float`);
  }
  return Object.freeze({ ...metadata });
}
