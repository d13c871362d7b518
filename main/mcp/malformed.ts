import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC codes for messages that never became a valid message. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

/**
 * A line or body that is not a valid JSON-RPC message. Transports report it through `onerror`
 * (and stay up); the proxy answers the side that sent it when an id can be recovered.
 */
export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
  constructor(
    message: string,
    /** -32700 (not JSON) or -32600 (not a JSON-RPC message, or too large). */
    readonly code: number,
    /** The id the sender used, when one could be read from the bad input. */
    readonly id: RequestId | undefined,
    /** Whether the bad input looked like a request (it had a `method`), so an answer makes sense. */
    readonly hadMethod: boolean,
  ) {
    super(message);
  }
}

const ID_RE = /"id"\s*:\s*("(?:[^"\\]|\\.){0,256}"|-?\d{1,16})(?=\s*[,}])/;
const METHOD_RE = /"method"\s*:/;

/**
 * Reads the `id` out of the first few kilobytes of a bad line without parsing it, so a truncated
 * or oversized request can still be answered. Only a top-level-looking id is trusted.
 */
export function sniffId(head: string): { id: RequestId | undefined; hadMethod: boolean } {
  const prefix = head.length > 4096 ? head.slice(0, 4096) : head;
  const m = ID_RE.exec(prefix);
  let id: RequestId | undefined;
  if (m?.[1] !== undefined) {
    try {
      const v: unknown = JSON.parse(m[1]);
      if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) id = v;
    } catch {
      id = undefined;
    }
  }
  return { id, hadMethod: METHOD_RE.test(prefix) };
}

/** Recovers what it can from a parsed value that is not a valid JSON-RPC message. */
export function idOfInvalid(value: unknown): { id: RequestId | undefined; hadMethod: boolean } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { id: undefined, hadMethod: false };
  const o = value as Record<string, unknown>;
  const id = o['id'];
  return {
    id: typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) ? id : undefined,
    // A `method` of any type marks a request (or notification), however broken.
    hadMethod: 'method' in o,
  };
}
