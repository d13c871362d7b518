/**
 * RFC 8785 (JCS) canonical JSON: object keys sorted by UTF-16 code units, no whitespace,
 * ECMAScript number formatting, minimal string escapes. Entry hashes of our audit chain are
 * SHA-256 over this text, so any implementation can recompute them.
 */
export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError';
}

function str(s: string): string {
  // JSON.stringify's string escaping is exactly JCS's (RFC 8785 §3.2.2.2).
  return JSON.stringify(s);
}

/** Serializes a JSON value canonically; throws `CanonicalJsonError` on non-JSON values. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`cannot encode the non-finite number ${value}`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return str(value);
    case 'bigint':
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) throw new CanonicalJsonError(`integer ${value} is beyond exact JSON numbers`);
      return String(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`cannot encode a value of type ${typeof value}`);
  }
  if (value instanceof Number) return canonicalJson(value.valueOf());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${str(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
