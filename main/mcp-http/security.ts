import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Why a request was refused before it reached any MCP code. */
export interface Refusal {
  status: 401 | 403;
  message: string;
}

/** A fresh bearer token: 256 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Returns a checker that compares a presented bearer token with `token` in constant time. Both sides
 * are hashed first so the comparison is over equal-length digests and the token's length leaks nothing.
 */
export function tokenChecker(token: string): (presented: string | undefined) => boolean {
  const want = createHash('sha256').update(token, 'utf8').digest();
  return (presented) => {
    const got = createHash('sha256').update(presented ?? '', 'utf8').digest();
    // Always compare, even for a missing token, so timing does not tell the cases apart.
    return timingSafeEqual(got, want) && presented !== undefined;
  };
}

/** The bearer token in an `Authorization` header, if the header has that form. */
export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** The `Host` values a loopback server on `port` accepts: anything else is DNS rebinding. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** True when `origin` is this very server seen from a browser (same loopback host and port). */
export function isLoopbackOrigin(origin: string, port: number): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost') && u.port === String(port) && origin === u.origin;
}

/**
 * The checks every request passes before anything else runs, in this order: `Host` (DNS rebinding),
 * `Origin` (a foreign web page), then the bearer token. The MCP Inspector's unauthenticated local
 * proxy is the lesson: a loopback bind alone does not keep a browser or another local user out.
 */
export function refuse(req: IncomingMessage, port: number, tokenOk: (presented: string | undefined) => boolean): Refusal | undefined {
  const host = req.headers.host?.toLowerCase();
  if (!host || !allowedHosts(port).has(host)) return { status: 403, message: `host \`${req.headers.host ?? ''}\` is not allowed` };
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin, port)) return { status: 403, message: `origin \`${origin}\` is not allowed` };
  if (!tokenOk(bearerOf(req.headers.authorization))) return { status: 401, message: 'missing or wrong bearer token' };
  return undefined;
}
