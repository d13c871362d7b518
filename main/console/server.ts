import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { encodeEvent, encodeResponse, MAX_FRAME_BYTES, parseClientFrame } from '../../shared/ipc/wire.js';
import type { ConsoleService } from './service.js';
import { consoleCsp, mimeType, resolveStatic } from './static.js';

export { consoleCsp, resolveStatic } from './static.js';

/** What `startConsoleServer` needs: the service to expose and the built renderer to serve. */
export interface ConsoleServerOptions {
  service: ConsoleService;
  /** 0 or absent: any free port. */
  port?: number;
  /** Only the literal loopback address is accepted: the console must never listen on a network. */
  host?: '127.0.0.1';
  /** The built renderer (`dist/renderer`). */
  staticDir: string;
  /** The session token (a fresh random one by default). */
  token?: string;
  /** Largest request frame accepted; bigger ones close the socket (default `MAX_FRAME_BYTES`). */
  maxFrameBytes?: number;
}

/** A running loopback console server. */
export interface ConsoleServer {
  /** `http://127.0.0.1:<port>/#token=<token>`: what the user opens. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time token comparison (hashing first makes the length irrelevant too). */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Serves the built renderer and the WebSocket bridge on the loopback address. The bridge admits a
 * socket only with the session token (constant-time compare), a Host of 127.0.0.1/localhost on
 * this port (DNS rebinding) and an Origin of this console (other pages in the user's browser).
 * Every frame is parsed before anything acts on it; nothing a client sends can crash the server.
 */
export async function startConsoleServer(opts: ConsoleServerOptions): Promise<ConsoleServer> {
  if (opts.host !== undefined && opts.host !== '127.0.0.1') throw new Error('the console binds 127.0.0.1 only');
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const staticDir = resolve(opts.staticDir);
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const securityHeaders = (res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', consoleCsp(port));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const fail = (res: ServerResponse, status: number, text: string) => {
    securityHeaders(res);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${text}\n`);
  };

  const serveStatic = (req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return fail(res, 403, 'forbidden host');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(res, 405, 'method not allowed');
    }
    const pathname = (req.url ?? '/').split('?')[0]?.split('#')[0] ?? '/';
    let file = resolveStatic(staticDir, pathname);
    if (file === null) return fail(res, 403, 'forbidden path');
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) {
        file = join(file, 'index.html');
        st = statSync(file);
      }
    } catch {
      // Client-side routes (no extension) get the app; missing assets are 404s.
      if (extname(pathname) !== '') return fail(res, 404, 'not found');
      file = join(staticDir, 'index.html');
      try {
        st = statSync(file);
      } catch {
        return fail(res, 404, 'the console is not built: run `npm run build`');
      }
    }
    securityHeaders(res);
    const isIndex = file.endsWith(`${sep}index.html`);
    res.writeHead(200, {
      'Content-Type': mimeType(file),
      'Content-Length': st.size,
      'Cache-Control': isIndex ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const http = createServer(serveStatic);
  const maxFrame = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  // ws refuses a bigger frame before buffering it (close 1009); parseClientFrame re-checks decoded text.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrame, perMessageDeflate: false });
  const clients = new Set<WebSocket>();

  const refuseUpgrade = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    socket.destroy();
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!allowedOrigins().has(req.headers.origin ?? '')) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  const send = (ws: WebSocket, frame: string) => {
    if (ws.readyState === ws.OPEN) ws.send(frame, (e) => e && ws.terminate());
  };

  const onConnection = (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return send(ws, encodeResponse(null, { ok: false, error: { code: 'BAD_REQUEST', message: 'binary frames are not accepted' } }));
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      const frame = parseClientFrame(text, maxFrame);
      if (!frame.ok) return send(ws, encodeResponse(frame.error.id, { ok: false, error: frame.error.error }));
      const { id, channel, payload } = frame.value;
      void opts.service.handle(channel, payload).then(
        (result) => send(ws, encodeResponse(id, result)),
        // handle() never rejects; this is the last line of defence, not a code path.
        () => send(ws, encodeResponse(id, { ok: false, error: { code: 'INTERNAL', message: 'request failed' } })),
      );
    });
  };

  const unsubscribe = opts.service.subscribe((event, payload) => {
    if (clients.size === 0) return;
    const frame = encodeEvent(event, payload);
    for (const ws of clients) send(ws, frame);
  });

  await new Promise<void>((ok, no) => {
    http.once('error', no);
    http.listen(opts.port ?? 0, '127.0.0.1', () => {
      http.off('error', no);
      ok();
    });
  });
  port = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      clients.clear();
      await new Promise<void>((ok) => wss.close(() => ok()));
      http.closeAllConnections();
      await new Promise<void>((ok) => http.close(() => ok()));
    },
  };
}
