import { ActionEvent, METADATA_KEYS } from '../events/action-event.js';

const METADATA_SET = new Set<string>(METADATA_KEYS);
const EVENT_FIELDS = new Set(['actor', 'action', 'resource', 'environment', 'risk', 'metadata']);

/** How keys of recorded legacy traces map to what the replay engine reads (the original's own fixtures). */
const LEGACY_RENAMES: Record<string, string> = { call_id: 'id', audit_id: 'id', expected: 'decision', tool: 'capability' };

/** One trace line turned into an event, with the decision the trace recorded, if any. */
export interface MappedTraceEvent {
  event: ActionEvent;
  originalDecision?: string;
  /** Keys dropped because the original's event model has no place for them. */
  droppedKeys: string[];
}

const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
const or = (...vs: unknown[]): unknown => vs.find(truthy) ?? vs[vs.length - 1];

/**
 * Maps a trace line to an event as the original's `_parse_event` does (actor, action, resource,
 * environment and risk with their fallbacks; every other key into metadata), except that keys its
 * event model rejects are renamed (as its replayable fixtures do) or dropped, so raw recorded
 * traces replay instead of failing.
 */
export function mapTraceEvent(raw: Record<string, unknown>): MappedTraceEvent {
  const metadata: Record<string, unknown> = {};
  const rawMeta = raw['metadata'];
  if (typeof rawMeta === 'object' && rawMeta !== null && !Array.isArray(rawMeta)) Object.assign(metadata, rawMeta);
  const droppedKeys: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (EVENT_FIELDS.has(k)) continue;
    if (METADATA_SET.has(k)) {
      metadata[k] = v;
      continue;
    }
    const renamed = LEGACY_RENAMES[k];
    if (renamed && !Object.hasOwn(raw, renamed) && !Object.hasOwn(metadata, renamed)) metadata[renamed] = v;
    else droppedKeys.push(k);
  }
  for (const k of Object.keys(metadata)) {
    if (!METADATA_SET.has(k)) {
      droppedKeys.push(`metadata.${k}`);
      delete metadata[k];
    }
  }
  const originalDecision = or(metadata['decision'], raw['original_decision']);
  const risk = or(raw['risk'], raw['risk_score'], 'low');
  const event = ActionEvent.create({
    actor: String(or(raw['actor'], raw['agent_id'], 'trace-replay')),
    action: String(or(raw['action'], raw['tool_name'], 'execute')),
    resource: String(or(raw['resource'], raw['risk_category'], 'system')),
    environment: String(or(raw['environment'], 'production')),
    risk: typeof risk === 'number' || typeof risk === 'string' ? risk : 'low',
    metadata,
  });
  return { event, ...(typeof originalDecision === 'string' && originalDecision ? { originalDecision } : {}), droppedKeys };
}

/** Whether a replayed outcome differs from the recorded one (pass/fail comparison, as the original). */
export function differs(authorized: boolean, originalDecision: string | undefined): boolean {
  if (!originalDecision) return false;
  const recordedPass = ['pass', 'allow', 'authorized'].includes(originalDecision.toLowerCase());
  return authorized !== recordedPass;
}
