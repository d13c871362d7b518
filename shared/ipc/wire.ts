import { eventChannels, isRequestChannel, type ConsoleError, type ConsoleResult, type EventChannel, type RequestChannel } from './contract.js';

/**
 * The WebSocket bridge's frames: JSON text, one message per frame.
 *   client → server  {t:'req', id, channel, payload}
 *   server → client  {t:'res', id, result}     (id null when the request's id could not be read)
 *                    {t:'evt', event, payload}
 * Pure (no node or DOM imports) so the renderer and the server share it.
 */

/** A request id: the client's counter, or a short string. */
export type WireId = number | string;

/** client → server: one request. */
export interface WireRequest {
  t: 'req';
  id: WireId;
  channel: RequestChannel;
  payload: unknown;
}

/** server → client: the answer to request `id`. */
export interface WireResponse {
  t: 'res';
  id: WireId | null;
  result: ConsoleResult<unknown>;
}

/** server → client: a pushed contract event. */
export interface WireEvent {
  t: 'evt';
  event: EventChannel;
  payload: unknown;
}

/** Any frame the server sends. */
export type ServerFrame = WireResponse | WireEvent;

/**
 * Default cap on one request frame, in bytes: the contract's largest request (a pasted 64 MiB
 * trace for `policy:replay`) after JSON escaping. Only sockets that passed the token check get
 * this far.
 */
export const MAX_FRAME_BYTES = 96 * 1024 * 1024;

const eventSet: ReadonlySet<string> = new Set(eventChannels);

function isWireId(v: unknown): v is WireId {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && v.length > 0 && v.length <= 100);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why a client frame was refused, with the request id when it could still be read (to answer it). */
export interface FrameRejection {
  id: WireId | null;
  error: ConsoleError;
}

/**
 * Parses a client frame. Garbage (not JSON, wrong shape, unknown channel, too large) is refused
 * with a BAD_REQUEST error; the payload itself is left for `parseRequest` to validate.
 */
export function parseClientFrame(text: string, maxBytes = MAX_FRAME_BYTES): { ok: true; value: WireRequest } | { ok: false; error: FrameRejection } {
  const bad = (message: string, id: WireId | null = null) => ({ ok: false as const, error: { id, error: { code: 'BAD_REQUEST' as const, message } } });
  // Length in UTF-16 units bounds the UTF-8 size from below; check it before parsing anything.
  if (text.length > maxBytes) return bad(`frame too large (limit ${maxBytes} bytes)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('frame is not JSON');
  }
  if (!isPlainObject(value)) return bad('frame is not an object');
  const id = isWireId(value.id) ? value.id : null;
  if (value.t !== 'req') return bad('frame type must be `req`', id);
  if (id === null) return bad('frame has no valid `id`');
  if (!isRequestChannel(value.channel)) return bad(`unknown channel \`${String(value.channel).slice(0, 100)}\``, id);
  return { ok: true, value: { t: 'req', id, channel: value.channel, payload: value.payload ?? {} } };
}

/** Parses a server frame; null for anything that is not a well-formed response or event. */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(value)) return null;
  if (value.t === 'res') {
    if (!(value.id === null || isWireId(value.id))) return null;
    if (!isPlainObject(value.result) || typeof value.result.ok !== 'boolean') return null;
    return { t: 'res', id: value.id, result: value.result as unknown as ConsoleResult<unknown> };
  }
  if (value.t === 'evt') {
    if (typeof value.event !== 'string' || !eventSet.has(value.event)) return null;
    return { t: 'evt', event: value.event as EventChannel, payload: value.payload };
  }
  return null;
}

/** Serialises a request frame. */
export function encodeRequest(id: WireId, channel: RequestChannel, payload: unknown): string {
  return JSON.stringify({ t: 'req', id, channel, payload } satisfies WireRequest);
}

/** Serialises a response frame. */
export function encodeResponse(id: WireId | null, result: ConsoleResult<unknown>): string {
  return JSON.stringify({ t: 'res', id, result } satisfies WireResponse);
}

/** Serialises an event frame. */
export function encodeEvent(event: EventChannel, payload: unknown): string {
  return JSON.stringify({ t: 'evt', event, payload } satisfies WireEvent);
}
