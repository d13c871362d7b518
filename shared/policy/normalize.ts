import { pyStr } from '../py/repr.js';
import type { DecisionInput } from './types.js';

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Number);

/** Python `a or b`: the first truthy value, else the last. */
function or(...values: unknown[]): unknown {
  for (const v of values) if (truthy(v)) return v;
  return values[values.length - 1];
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '' || v === 0n) return false;
  if (v instanceof Number) return v.valueOf() !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) return Object.keys(v).length > 0;
  return true;
}

const get = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : null);

/**
 * Normalizes a case-file event (the form `policy test`, `explain` and `diff` read:
 * `actor{id,role}`, `action{name,capability}`, `payload`, `metadata`, `environment`, ...) exactly
 * as the original does, including its fallback capability `resource.operation.*`.
 */
export function normalizeCaseEvent(event: Record<string, unknown>): DecisionInput {
  const action = get(event, 'action');
  const actionName = isMapping(action) ? get(action, 'name') : action;
  const actionCapability = isMapping(action) ? get(action, 'capability') : null;
  const actor = get(event, 'actor');
  const actorId = isMapping(actor) ? get(actor, 'id') : actor;
  const actorRole = isMapping(actor) ? get(actor, 'role') : null;
  const metadata = isMapping(event['metadata']) ? event['metadata'] : {};
  const payload = isMapping(event['payload']) ? { ...event['payload'] } : {};

  // A key that is present but null prints as `None` in the original's f-string.
  const resource = Object.hasOwn(event, 'resource') ? event['resource'] : '*';
  const operation = Object.hasOwn(event, 'operation') ? event['operation'] : Object.hasOwn(event, 'action_name') ? event['action_name'] : or(actionName, '*');
  const capability = or(actionCapability, get(metadata, 'capability'), get(event, 'capability'), `${pyStr(resource)}.${pyStr(operation)}.*`);

  const context: Record<string, unknown> = {
    ...metadata,
    actor: or(actorId, 'unknown'),
    user_role: or(actorRole, get(metadata, 'user_role')),
    action: or(actionName, get(event, 'action_name')),
    resource: get(event, 'resource'),
    environment: or(get(event, 'environment'), get(metadata, 'environment'), 'development'),
    tenant: or(get(event, 'tenant'), get(metadata, 'tenant')),
    risk_level: or(get(event, 'risk_level'), get(metadata, 'risk_level')),
    tool_name: or(get(event, 'tool_name'), get(payload, 'tool_name'), get(metadata, 'tool_name')),
  };
  return { capability: typeof capability === 'string' ? capability : pyStr(capability), context, payload };
}
