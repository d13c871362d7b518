import {
  events,
  requestChannels,
  requests,
  type ConsoleApi,
  type ConsoleError,
  type ConsoleErrorCode,
  type ConsoleResult,
  type EventChannel,
  type EventOf,
  type RequestChannel,
  type ResponseOf,
} from './contract.js';

/**
 * What a renderer needs from a channel to the main side: the Electron preload (`window.capfence`)
 * and the WebSocket bridge both provide it. Whatever arrives through it is untrusted until the
 * client has parsed it with the contract's schemas.
 */
export interface ConsoleTransport {
  /** Sends a request; resolves with the raw `ConsoleResult` the other side answered. */
  invoke(channel: RequestChannel, payload: unknown): Promise<unknown>;
  /** Listens for a pushed event's raw payload; returns the unsubscribe function. */
  subscribe(event: EventChannel, listener: (payload: unknown) => void): () => void;
}

const errorCodes: ReadonlySet<string> = new Set<ConsoleErrorCode>([
  'BAD_REQUEST',
  'NOT_FOUND',
  'CONFLICT',
  'POLICY_INVALID',
  'STORE_ERROR',
  'FORBIDDEN',
  'INTERNAL',
]);

const fail = (code: ConsoleErrorCode, message: string): { ok: false; error: ConsoleError } => ({ ok: false, error: { code, message } });

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Parses a raw answer of `channel` into a typed result; anything malformed becomes an INTERNAL error. */
export function parseResult<C extends RequestChannel>(channel: C, raw: unknown): ConsoleResult<ResponseOf<C>> {
  if (typeof raw !== 'object' || raw === null || !('ok' in raw)) return fail('INTERNAL', `malformed \`${channel}\` answer`);
  const r = raw as { ok: unknown; value?: unknown; error?: unknown };
  if (r.ok === true) {
    const parsed = requests[channel].response.safeParse(r.value);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first && first.path.length > 0 ? ` at \`${first.path.join('.')}\`` : '';
      return fail('INTERNAL', `invalid \`${channel}\` response${where}: ${first?.message ?? 'malformed'}`);
    }
    return { ok: true, value: parsed.data as ResponseOf<C> };
  }
  if (r.ok === false && typeof r.error === 'object' && r.error !== null) {
    const e = r.error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' && errorCodes.has(e.code) ? (e.code as ConsoleErrorCode) : 'INTERNAL';
    return fail(code, typeof e.message === 'string' ? e.message : 'unknown error');
  }
  return fail('INTERNAL', `malformed \`${channel}\` answer`);
}

/**
 * Builds the renderer's `ConsoleApi` over a transport: one named function per request channel of
 * the contract, and `on()` for pushed events. Responses and events are validated with the
 * contract's schemas, so the Electron and browser paths behave identically; a transport failure
 * resolves to an INTERNAL error result instead of throwing.
 */
export function createConsoleApi(transport: ConsoleTransport): ConsoleApi {
  const api: Record<string, unknown> = {};
  for (const channel of requestChannels) {
    api[channel] = async (req: unknown) => {
      let raw: unknown;
      try {
        raw = await transport.invoke(channel, req ?? {});
      } catch (e) {
        return fail('INTERNAL', `console connection failed: ${errorMessage(e)}`);
      }
      return parseResult(channel, raw);
    };
  }
  api.on = <E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): (() => void) => {
    const schema = events[event];
    if (!schema) throw new Error(`unknown console event \`${String(event)}\``);
    return transport.subscribe(event, (raw) => {
      const parsed = schema.safeParse(raw);
      // An event that does not match the contract is dropped: acting on it could show a wrong queue.
      if (parsed.success) listener(parsed.data as EventOf<E>);
    });
  };
  return api as ConsoleApi;
}
