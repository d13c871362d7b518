// Environment: node. The hand-written JSON-RPC check against the SDK's zod schema it stands in for.
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { checkJsonRpc, quickJsonRpcCheck } from '../../../main/mcp/jsonrpc-check.js';

const TASK = 'io.modelcontextprotocol/related-task';

/** What a client and a server commonly send: every one must take the quick path. */
const VALID: unknown[] = [
  { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hi' } } },
  { jsonrpc: '2.0', id: 'a-1', method: 'tools/list' },
  { jsonrpc: '2.0', id: 0, method: 'ping', params: {} },
  { jsonrpc: '2.0', id: -7, method: 'tools/call', params: { name: 'x', _meta: { progressToken: 3 } } },
  { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'x', _meta: { progressToken: 'tok', other: [1] } } },
  { jsonrpc: '2.0', id: 3, method: 'tasks/get', params: { _meta: { [TASK]: { taskId: 't1', extra: 1 } } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 2, _meta: {} } },
  { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4, reason: 'x' } },
  { jsonrpc: '2.0', id: 1, result: {} },
  { jsonrpc: '2.0', id: 'x', result: { content: [{ type: 'text', text: 'Echo: hi' }] } },
  { jsonrpc: '2.0', id: 5, result: { tools: [], _meta: { progressToken: 'p' } } },
  { jsonrpc: '2.0', id: 6, error: { code: -32000, message: 'blocked' } },
  { jsonrpc: '2.0', id: 'e', error: { code: -32603, message: 'boom', data: { reason: 'x' } } },
  { jsonrpc: '2.0', error: { code: -32700, message: 'parse error' } },
  { jsonrpc: '2.0', id: Number.MAX_SAFE_INTEGER, method: 'm' },
];

/** Values to put in any field of a valid message. */
const ODD_VALUES: unknown[] = [
  undefined, null, true, 0, -0, 1.5, -1, 2 ** 53, 1e300, Number.MAX_SAFE_INTEGER, '', '2.0', '1.0', 'x', [], [1], {}, { taskId: 1 }, { taskId: 't' },
  { code: 1.5, message: 'm' }, { code: 1, message: 2 }, { code: 1 }, { progressToken: 1.5 }, { progressToken: [] }, { progressToken: 'p' },
  { [TASK]: { taskId: 5 } }, { [TASK]: null }, { _meta: null }, { _meta: [] }, { _meta: { progressToken: 1.25 } }, { _meta: { [TASK]: {} } },
];

/** Every valid sample with each field (top level and one level down) deleted, or set to each odd value, or an extra key added. */
function mutations(): unknown[] {
  const out: unknown[] = [
    null, undefined, 0, 'text', [], [VALID[0]], {}, { jsonrpc: '2.0' }, { jsonrpc: '2.0', id: 1 }, { jsonrpc: '2.0', id: 1, method: 'm', result: {} },
    { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'm' } }, { jsonrpc: '2.0', method: 'm', id: null }, JSON.parse('{"jsonrpc":"2.0","method":"m","__proto__":1}'),
    JSON.parse('{"jsonrpc":"2.0","id":1,"result":{"__proto__":{"x":1}}}'), Object.assign(Object.create({ inherited: 1 }) as object, { jsonrpc: '2.0', method: 'm' }),
    Object.assign(Object.create(null) as object, { jsonrpc: '2.0', method: 'm' }),
  ];
  const clone = (v: unknown): Record<string, unknown> => structuredClone(v) as Record<string, unknown>;
  for (const msg of VALID) {
    const m = msg as Record<string, unknown>;
    for (const k of [...Object.keys(m), 'id', 'method', 'params', 'result', 'error', 'extra']) {
      const gone = clone(m);
      delete gone[k];
      out.push(gone);
      for (const v of ODD_VALUES) {
        const changed = clone(m);
        changed[k] = v;
        out.push(changed);
      }
      const inner = m[k];
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
        for (const ik of [...Object.keys(inner), '_meta', 'code', 'message', 'extra']) {
          for (const v of [...ODD_VALUES, '__delete__']) {
            const changed = clone(m);
            const child = changed[k] as Record<string, unknown>;
            if (v === '__delete__') delete child[ik];
            else child[ik] = v;
            out.push(changed);
          }
        }
      }
    }
  }
  return out;
}

/** The message the proxy gave for a bad message before the quick check existed. */
function zodVerdict(raw: unknown): { ok: boolean; error?: string } {
  const parsed = JSONRPCMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `invalid JSON-RPC message${issue ? `: ${issue.message}${issue.path.length ? ` at \`${issue.path.join('.')}\`` : ''}` : ''}` };
}

describe('quick JSON-RPC check', () => {
  it('takes the quick path for the common shapes, each of which the schema accepts', () => {
    for (const m of VALID) {
      expect(zodVerdict(m), JSON.stringify(m)).toEqual({ ok: true });
      expect(quickJsonRpcCheck(m), JSON.stringify(m)).toBe(true);
    }
  });

  it('never accepts what the schema rejects, and gives the schema verdict and error for every sample', () => {
    const samples = mutations();
    expect(samples.length).toBeGreaterThan(1500);
    let rejected = 0;
    for (const s of samples) {
      const want = zodVerdict(s);
      if (quickJsonRpcCheck(s)) expect(want.ok, `quick check accepted ${JSON.stringify(s)}`).toBe(true);
      const got = checkJsonRpc(s);
      expect(got.ok ? { ok: true } : { ok: false, error: got.error }).toEqual(want);
      if (!want.ok) rejected++;
    }
    // The corpus exercises the failure side, not only easy accepts.
    expect(rejected).toBeGreaterThan(800);
  });

  it('hands back the message itself, not a parsed copy', () => {
    const m = { jsonrpc: '2.0', id: 1, method: 'x', params: { a: 1 } };
    const got = checkJsonRpc(m);
    expect(got.ok && got.message).toBe(m);
  });
});
