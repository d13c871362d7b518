/**
 * The capability grammar `resource.action.scope`, exactly as the original parses and matches it:
 * at most three parts split on the first two dots (the scope keeps any further dots), fewer parts
 * padded with `*`, and a part matches when the granted part is `*` or equal (case-sensitive).
 * There is no glob inside a part: `shell.exec*` is a literal.
 */
export interface Capability {
  resource: string;
  action: string;
  scope: string;
}

const VALID = /^[a-zA-Z0-9_\-.*]+$/;

export type CapabilityParse = { ok: true; value: Capability } | { ok: false; error: string };

/** Parses a capability string; errors read like the original's ValueError messages. */
export function parseCapability(input: unknown): CapabilityParse {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, error: 'Capability string must be a non-empty string' };
  if (!VALID.test(input)) return { ok: false, error: `Capability string contains invalid characters: '${input}'` };
  const first = input.indexOf('.');
  if (first < 0) return { ok: true, value: { resource: input, action: '*', scope: '*' } };
  const second = input.indexOf('.', first + 1);
  if (second < 0) return { ok: true, value: { resource: input.slice(0, first), action: input.slice(first + 1), scope: '*' } };
  return {
    ok: true,
    value: { resource: input.slice(0, first), action: input.slice(first + 1, second), scope: input.slice(second + 1) },
  };
}

/** True when the string is a well-formed capability. */
export function isValidCapability(input: string): boolean {
  return input.length > 0 && VALID.test(input);
}

/** `resource.action.scope`, as the original's `str(cap)`. */
export function formatCapability(c: Capability): string {
  return `${c.resource}.${c.action}.${c.scope}`;
}

const partMatches = (granted: string, required: string): boolean => granted === '*' || granted === required;

/** Whether a granted capability covers a required one (part-wise, `*` in the granted part). */
export function capabilityCovers(granted: Capability, required: Capability): boolean {
  return partMatches(granted.resource, required.resource) && partMatches(granted.action, required.action) && partMatches(granted.scope, required.scope);
}

/**
 * Whether a policy rule's capability pattern matches a requested capability, including the
 * original's string fallback when either side does not parse: exact equality, a bare `*`, or a
 * raw prefix test for patterns ending in `.*` (no dot boundary, as the original does).
 */
export function capabilityMatches(pattern: string, request: string): boolean {
  const p = parseCapability(pattern);
  const r = parseCapability(request);
  if (p.ok && r.ok) return capabilityCovers(p.value, r.value);
  return fallbackMatches(pattern, request);
}

/** The original's string fallback for unparseable capabilities. */
export function fallbackMatches(pattern: string, request: string): boolean {
  if (pattern === '*' || pattern === request) return true;
  return pattern.endsWith('.*') && request.startsWith(pattern.slice(0, -2));
}
