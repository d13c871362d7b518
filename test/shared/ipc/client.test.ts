// Environment: node (pure modules). The renderer's client over a transport, and the wire format.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createConsoleApi, parseResult, type ConsoleTransport } from '../../../shared/ipc/client.js';
import { eventChannels, requestChannels, type ConsoleApi, type ConsoleResult, type ResponseOf } from '../../../shared/ipc/contract.js';
import { encodeEvent, encodeRequest, encodeResponse, parseClientFrame, parseServerFrame } from '../../../shared/ipc/wire.js';

function fakeTransport(answer: (channel: string, payload: unknown) => unknown) {
  const calls: [string, unknown][] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const transport: ConsoleTransport = {
    async invoke(channel, payload) {
      calls.push([channel, payload]);
      return answer(channel, payload);
    },
    subscribe(event, fn) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(fn);
      return () => set.delete(fn);
    },
  };
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { transport, calls, emit };
}

const info = { version: '1', dbPath: '/x.db', policyPath: null, policyHash: null, transport: 'websocket', gatewayUrl: null, user: 'u' };

describe('createConsoleApi', () => {
  it('has one function per request channel plus on()', () => {
    const api = createConsoleApi(fakeTransport(() => null).transport);
    expect(Object.keys(api).sort()).toEqual([...requestChannels, 'on'].sort());
    expectTypeOf(api).toEqualTypeOf<ConsoleApi>();
    expectTypeOf(api['session:info']).returns.resolves.toEqualTypeOf<ConsoleResult<ResponseOf<'session:info'>>>();
  });

  it('passes requests through and validates answers against the contract', async () => {
    const { transport, calls } = fakeTransport((channel) => (channel === 'session:info' ? { ok: true, value: info } : { ok: true, value: { wrong: true } }));
    const api = createConsoleApi(transport);
    expect(await api['session:info']({})).toEqual({ ok: true, value: info });
    expect(calls).toEqual([['session:info', {}]]);
    const bad = await api['policy:get']({});
    expect(bad).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/invalid `policy:get` response/) } });
  });

  it('keeps typed errors, maps unknown codes and transport failures to INTERNAL, never throws', async () => {
    let mode = 0;
    const api = createConsoleApi(
      fakeTransport(() => {
        if (mode === 0) return { ok: false, error: { code: 'POLICY_INVALID', message: 'bad' } };
        if (mode === 1) return { ok: false, error: { code: 'LOL', message: 'x' } };
        if (mode === 2) return 'garbage';
        throw new Error('socket closed');
      }).transport,
    );
    expect(await api['policy:save']({ text: '', baseHash: null })).toEqual({ ok: false, error: { code: 'POLICY_INVALID', message: 'bad' } });
    mode = 1;
    expect(await api['policy:get']({})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'x' } });
    mode = 2;
    expect(await api['policy:get']({})).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'malformed `policy:get` answer' } });
    mode = 3;
    expect(await api['policy:get']({})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'console connection failed: socket closed' } });
  });

  it('delivers only events that match the contract', () => {
    const { transport, emit } = fakeTransport(() => null);
    const api = createConsoleApi(transport);
    const got: number[] = [];
    const off = api.on('audit:appended', (p) => got.push(p.head));
    emit('audit:appended', { head: 5 });
    emit('audit:appended', { head: 'five' });
    emit('audit:appended', null);
    off();
    emit('audit:appended', { head: 6 });
    expect(got).toEqual([5]);
    expect(() => api.on('nope' as never, () => undefined)).toThrow(/unknown console event/);
  });

  it('parseResult checks every channel schema', () => {
    expect(parseResult('approvals:list', { ok: true, value: [] })).toEqual({ ok: true, value: [] });
    expect(parseResult('approvals:list', { ok: true, value: [{ id: 1 }] }).ok).toBe(false);
  });
});

describe('wire format', () => {
  it('round-trips frames', () => {
    const req = parseClientFrame(encodeRequest(3, 'audit:query', { limit: 5 }));
    expect(req).toEqual({ ok: true, value: { t: 'req', id: 3, channel: 'audit:query', payload: { limit: 5 } } });
    expect(parseServerFrame(encodeResponse(3, { ok: true, value: 1 }))).toEqual({ t: 'res', id: 3, result: { ok: true, value: 1 } });
    expect(parseServerFrame(encodeEvent('policy:changed', { hash: 'h', path: null }))).toEqual({ t: 'evt', event: 'policy:changed', payload: { hash: 'h', path: null } });
    for (const e of eventChannels) expect(parseServerFrame(encodeEvent(e, {}))?.t).toBe('evt');
  });

  it('rejects garbage with the id when it can be read', () => {
    const cases: [string, string | number | null, RegExp][] = [
      ['', null, /not JSON/],
      ['nul', null, /not JSON/],
      ['[]', null, /not an object/],
      ['"x"', null, /not an object/],
      ['{"t":"evt","id":1}', 1, /must be `req`/],
      ['{"t":"req"}', null, /no valid `id`/],
      ['{"t":"req","id":1.5,"channel":"session:info"}', null, /no valid `id`/],
      [`{"t":"req","id":"${'x'.repeat(101)}","channel":"session:info"}`, null, /no valid `id`/],
      ['{"t":"req","id":"a","channel":"toString"}', 'a', /unknown channel/],
      ['{"t":"req","id":2,"channel":"__proto__"}', 2, /unknown channel/],
    ];
    for (const [text, id, msg] of cases) {
      const r = parseClientFrame(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) {
        expect(r.error.id, text).toBe(id);
        expect(r.error.error.code).toBe('BAD_REQUEST');
        expect(r.error.error.message, text).toMatch(msg);
      }
    }
    expect(parseClientFrame('x'.repeat(101), 100)).toMatchObject({ ok: false, error: { error: { message: expect.stringMatching(/too large/) } } });
    for (const text of ['', '{}', '{"t":"res","id":{},"result":{"ok":true}}', '{"t":"res","id":1,"result":5}', '{"t":"evt","event":"shell:exec"}', '{"t":"evt","event":"constructor"}']) {
      expect(parseServerFrame(text), text).toBeNull();
    }
  });
});
