import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Protocol } from 'electron';
import { consoleCsp, mimeType, resolveStatic } from '../console/static.js';

/** The renderer's scheme and origin: `app://console/`. Registered as standard and secure before `ready`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** True for URLs of the console's own origin (what IPC senders and navigations must be). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Headers every `app://` response carries: the strict CSP (no network at all: the shell talks over IPC). */
export function appHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': consoleCsp(),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

const text = (status: number, body: string) => new Response(body, { status, headers: appHeaders('text/plain; charset=utf-8') });

/**
 * Answers one `app://` request from the built renderer folder. Other hosts, traversal (`..`,
 * encoded separators, symlinks out of the folder) and non-GET methods are refused.
 */
export async function appResponse(rendererDir: string, request: { url: string; method?: string }): Promise<Response> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return text(400, 'bad request');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return text(404, 'not found');
  if (request.method && request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
  let file = resolveStatic(rendererDir, url.pathname);
  if (file === null) return text(403, 'forbidden');
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    return new Response(await readFile(file), { status: 200, headers: appHeaders(mimeType(file)) });
  } catch {
    // Client-side routes get the app; a missing asset is a 404.
    if (extname(url.pathname) !== '') return text(404, 'not found');
    try {
      return new Response(await readFile(join(rendererDir, 'index.html')), { status: 200, headers: appHeaders(mimeType('index.html')) });
    } catch {
      return text(404, 'the console is not built: run `npm run build`');
    }
  }
}

/** Serves the renderer on `app://console/` (call after `ready`). */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(rendererDir, request));
}
