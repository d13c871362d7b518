// Environment: node. The request checks on their own, with every edge the gateway relies on.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerOf, isLoopbackOrigin, newToken, refuse, tokenChecker } from '../../../main/mcp-http/security.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('gateway request checks', () => {
  it('compares tokens exactly, whatever their length', () => {
    const t = newToken();
    const ok = tokenChecker(t);
    expect(ok(t)).toBe(true);
    expect(ok(`${t}x`)).toBe(false);
    expect(ok(t.slice(1))).toBe(false);
    expect(ok('')).toBe(false);
    expect(ok(undefined)).toBe(false);
    expect(newToken()).not.toBe(t);
  });

  it('reads only well-formed bearer headers', () => {
    expect(bearerOf('Bearer abc')).toBe('abc');
    expect(bearerOf('bearer  abc ')).toBe('abc');
    expect(bearerOf('Bearer a b')).toBeUndefined();
    expect(bearerOf('Basic abc')).toBeUndefined();
    expect(bearerOf(undefined)).toBeUndefined();
  });

  it('accepts only this loopback origin', () => {
    expect(isLoopbackOrigin('http://127.0.0.1:8080', 8080)).toBe(true);
    expect(isLoopbackOrigin('http://localhost:8080', 8080)).toBe(true);
    for (const o of ['http://127.0.0.1:8081', 'https://127.0.0.1:8080', 'http://127.0.0.1.evil.example:8080', 'http://[::1]:8080', 'null', 'http://localhost:8080/x', 'http://user@localhost:8080']) {
      expect(isLoopbackOrigin(o, 8080), o).toBe(false);
    }
  });

  it('checks Host, then Origin, then the token', () => {
    const ok = tokenChecker('a-token-of-enough-length');
    const good = { host: '127.0.0.1:9', authorization: 'Bearer a-token-of-enough-length' };
    expect(refuse(req(good), 9, ok)).toBeUndefined();
    expect(refuse(req({ ...good, host: 'LOCALHOST:9' }), 9, ok)).toBeUndefined();
    expect(refuse(req({ ...good, host: 'evil.example:9' }), 9, ok)?.status).toBe(403);
    expect(refuse(req({ ...good, host: '127.0.0.1' }), 9, ok)?.status).toBe(403);
    expect(refuse(req({ authorization: good.authorization }), 9, ok)?.status).toBe(403);
    expect(refuse(req({ ...good, origin: 'http://evil.example' }), 9, ok)?.status).toBe(403);
    expect(refuse(req({ host: 'evil.example:9' }), 9, ok)?.status).toBe(403);
    expect(refuse(req({ host: good.host }), 9, ok)?.status).toBe(401);
    expect(refuse(req({ ...good, authorization: 'Bearer wrong' }), 9, ok)?.status).toBe(401);
  });
});
