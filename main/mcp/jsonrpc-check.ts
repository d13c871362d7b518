import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A message as the SDK's `JSONRPCMessageSchema` judges it, with its first issue when it fails. */
export type JsonRpcCheck = { ok: true; message: JSONRPCMessage } | { ok: false; error: string };

const RELATED_TASK_KEY = 'io.modelcontextprotocol/related-task';

type Plain = Record<string, unknown>;

/**
 * Only plain objects take the quick path: anything else (class instances, exotic prototypes from
 * in-memory transports) goes to the schema, which decides as it always has.
 */
const isPlain = (v: unknown): v is Plain => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

const isId = (v: unknown): boolean => typeof v === 'string' || Number.isSafeInteger(v);

/** `_meta` of params or a result: a loose object whose two known keys have their types. */
function metaOk(meta: unknown): boolean {
  if (meta === undefined) return true;
  if (!isPlain(meta)) return false;
  const token = meta['progressToken'];
  if (token !== undefined && !isId(token)) return false;
  const task = meta[RELATED_TASK_KEY];
  return task === undefined || (isPlain(task) && typeof task['taskId'] === 'string');
}

/** `params` of a request or notification, and `result` of a response: loose objects with a `_meta`. */
const looseWithMetaOk = (v: unknown): boolean => isPlain(v) && metaOk(v['_meta']);

/** Every own key of `o` is one of `allowed` (the schemas are strict at the top level). */
function onlyKeys(o: Plain, allowed: readonly string[]): boolean {
  for (const k in o) if (Object.hasOwn(o, k) && !allowed.includes(k)) return false;
  return true;
}

const REQUEST_KEYS = ['jsonrpc', 'id', 'method', 'params'];
const NOTIFICATION_KEYS = ['jsonrpc', 'method', 'params'];
const RESULT_KEYS = ['jsonrpc', 'id', 'result'];
const ERROR_KEYS = ['jsonrpc', 'id', 'error'];

/**
 * Whether `raw` is certainly a message `JSONRPCMessageSchema` accepts, checked by hand: the zod
 * union costs more than the rest of forwarding a message. Sound, not complete: it never accepts
 * what the schema rejects (a test compares them on valid and broken samples), and anything it is
 * unsure of is left to the schema.
 */
export function quickJsonRpcCheck(raw: unknown): raw is JSONRPCMessage {
  if (!isPlain(raw) || raw['jsonrpc'] !== '2.0') return false;
  if (typeof raw['method'] === 'string') {
    const params = raw['params'];
    if (params !== undefined && !looseWithMetaOk(params)) return false;
    if (raw['id'] === undefined) return onlyKeys(raw, NOTIFICATION_KEYS);
    return isId(raw['id']) && onlyKeys(raw, REQUEST_KEYS);
  }
  if (raw['result'] !== undefined) return isId(raw['id']) && looseWithMetaOk(raw['result']) && onlyKeys(raw, RESULT_KEYS);
  const error = raw['error'];
  if (!isPlain(error) || !Number.isSafeInteger(error['code']) || typeof error['message'] !== 'string') return false;
  const id = raw['id'];
  return (id === undefined || isId(id)) && onlyKeys(raw, ERROR_KEYS);
}

/** Checks one message: the quick check first, the SDK's schema for anything else (and for the reason it fails). */
export function checkJsonRpc(raw: unknown): JsonRpcCheck {
  if (quickJsonRpcCheck(raw)) return { ok: true, message: raw };
  const parsed = JSONRPCMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: raw as JSONRPCMessage };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `invalid JSON-RPC message${issue ? `: ${issue.message}${issue.path.length ? ` at \`${issue.path.join('.')}\`` : ''}` : ''}` };
}
