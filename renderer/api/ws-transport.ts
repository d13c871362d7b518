import type { EventChannel, RequestChannel } from '../../shared/ipc/contract.js';
import type { ConsoleTransport } from '../../shared/ipc/client.js';
import { encodeRequest, parseServerFrame } from '../../shared/ipc/wire.js';

/**
 * The browser console's transport: the loopback WebSocket bridge of `capfence console`.
 * Typed against the few socket members it uses (not the DOM lib), so it also runs under Node
 * with the `ws` package's client in tests.
 */

/** The subset of the WebSocket API this transport uses (the DOM's and `ws`'s both fit). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** Opens a socket to a URL. */
export type SocketFactory = (url: string) => SocketLike;

/** The bridge connection's state. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** The WebSocket transport, with its connection state for the UI. */
export interface WsTransport extends ConsoleTransport {
  /** The connection's state; the UI shows it and refetches its lists after a reconnect. */
  readonly status: ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Closes the socket for good (no reconnect); pending requests fail. */
  close(): void;
}

/** Where and how to connect (defaults fit the browser console). */
export interface WsTransportOptions {
  /** Full `ws://…/ws?token=…` URL; by default built from the page's location and the session token. */
  url?: string;
  /** Opens a socket; by default the browser's `WebSocket`. */
  connect?: SocketFactory;
  /** A request not answered within this many ms fails (default 30 s; verify of a huge log reports progress meanwhile). */
  requestTimeoutMs?: number;
  /** Reconnect delays grow from `minDelayMs` to `maxDelayMs` (defaults 250 ms, 5 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const OPEN = 1;
const TOKEN_KEY = 'capfence.token';

interface LocationLike {
  host: string;
  hash: string;
  pathname: string;
  search: string;
}
interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
interface BrowserGlobals {
  location?: LocationLike;
  sessionStorage?: StorageLike;
  history?: { replaceState(data: unknown, unused: string, url?: string): void };
  WebSocket?: new (url: string) => SocketLike;
}

const browser = globalThis as unknown as BrowserGlobals;

/**
 * The session token: from the URL hash (`#token=…`, as `capfence console` prints it) or, after a
 * reload, from sessionStorage. The hash is cleared so the token does not linger in the address bar.
 */
export function readSessionToken(g: BrowserGlobals = browser): string | null {
  const hash = g.location?.hash ?? '';
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const fromHash = params.get('token');
  if (fromHash) {
    try {
      g.sessionStorage?.setItem(TOKEN_KEY, fromHash);
    } catch {
      // Storage can be disabled; the token then lives only for this page load.
    }
    params.delete('token');
    const rest = params.toString();
    if (g.location && g.history) g.history.replaceState(null, '', `${g.location.pathname}${g.location.search}${rest ? `#${rest}` : ''}`);
    return fromHash;
  }
  try {
    return g.sessionStorage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

/** `ws://<host>/ws?token=…` for the page's own host. */
export function bridgeUrl(g: BrowserGlobals = browser): string {
  const token = readSessionToken(g);
  if (!g.location) throw new Error('no page location to connect to');
  if (!token) throw new Error('no console session token: open the address `capfence console` printed');
  return `ws://${g.location.host}/ws?token=${encodeURIComponent(token)}`;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  /** Set once the frame went out on a socket: then a lost connection fails it (no resend of a decision). */
  sent: boolean;
  frame: string;
}

/** Connects to the bridge and keeps reconnecting; implements the transport `createConsoleApi` takes. */
export function createWsTransport(options: WsTransportOptions = {}): WsTransport {
  const url = options.url ?? bridgeUrl();
  const connect: SocketFactory =
    options.connect ??
    ((u) => {
      const Ctor = browser.WebSocket;
      if (!Ctor) throw new Error('WebSocket is not available');
      return new Ctor(u);
    });
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5_000;

  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();
  let status: ConnectionStatus = 'connecting';
  let socket: SocketLike | null = null;
  let nextId = 1;
  let delay = minDelay;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const setStatus = (s: ConnectionStatus) => {
    if (s === status) return;
    status = s;
    for (const l of statusListeners) l(s);
  };

  const flush = () => {
    if (!socket || socket.readyState !== OPEN) return;
    for (const p of pending.values()) {
      if (p.sent) continue;
      socket.send(p.frame);
      p.sent = true;
    }
  };

  const open = () => {
    if (closed) return;
    setStatus('connecting');
    let s: SocketLike;
    try {
      s = connect(url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    s.onopen = () => {
      delay = minDelay;
      setStatus('open');
      flush();
    };
    s.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      const frame = parseServerFrame(ev.data);
      if (!frame) return;
      if (frame.t === 'evt') {
        for (const l of listeners.get(frame.event) ?? []) l(frame.payload);
        return;
      }
      if (typeof frame.id !== 'number') return;
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      clearTimeout(p.timer);
      p.resolve(frame.result);
    };
    s.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      for (const [id, p] of pending) {
        if (!p.sent) continue;
        pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new Error('connection closed before the answer arrived'));
      }
      setStatus('closed');
      scheduleReconnect();
    };
  };

  const scheduleReconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      open();
    }, delay);
    delay = Math.min(maxDelay, delay * 2);
  };

  open();

  return {
    get status() {
      return status;
    },
    invoke(channel: RequestChannel, payload: unknown): Promise<unknown> {
      if (closed) return Promise.reject(new Error('transport closed'));
      const id = nextId++;
      return new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`no answer to \`${channel}\` within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, sent: false, frame: encodeRequest(id, channel, payload) });
        flush();
      });
    },
    subscribe(event: EventChannel, listener: (payload: unknown) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('transport closed'));
      }
      pending.clear();
      socket?.close(1000, 'closed');
      socket = null;
      setStatus('closed');
    },
  };
}
