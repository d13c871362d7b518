// Environment: node. The stdio framing's batched paths, in-process: whole chunks of lines
// decoded at once, and every message sent in one tick leaving in one write.
import { PassThrough, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { LineTransport } from '../../../main/mcp/line-transport.js';
import { MalformedMessageError } from '../../../main/mcp/malformed.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A writable that keeps each write separately. */
function recorder(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, writes };
}

function reader(maxLineBytes?: number) {
  const input = new PassThrough();
  const t = new LineTransport(input, new PassThrough(), maxLineBytes !== undefined ? { maxLineBytes } : {});
  const messages: unknown[] = [];
  const errors: MalformedMessageError[] = [];
  t.onmessage = (m) => void messages.push(m);
  t.onerror = (e) => void (e instanceof MalformedMessageError && errors.push(e));
  return { input, t, messages, errors };
}

describe('reading a chunk of many lines', () => {
  it('delivers every line of one chunk in order, keeps the unfinished one, and handles CRLF and blank lines', async () => {
    const r = reader();
    await r.t.start();
    r.input.write('{"jsonrpc":"2.0","method":"a"}\n\r\n{"jsonrpc":"2.0","method":"b"}\r\n \t\n\u00a0\n{"jsonrpc":"2.0","method":"c"}\n{"jsonrpc":"2.0",');
    await tick();
    expect(r.messages).toEqual([
      { jsonrpc: '2.0', method: 'a' },
      { jsonrpc: '2.0', method: 'b' },
      { jsonrpc: '2.0', method: 'c' },
    ]);
    expect(r.errors).toEqual([]);
    r.input.write('"method":"d"}\n{"jsonrpc":"2.0","method":"e"}\n');
    await tick();
    expect(r.messages.slice(3)).toEqual([
      { jsonrpc: '2.0', method: 'd' },
      { jsonrpc: '2.0', method: 'e' },
    ]);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const r = reader();
    await r.t.start();
    const bytes = Buffer.from('{"jsonrpc":"2.0","method":"é€😀"}\n{"jsonrpc":"2.0","method":"z"}\n', 'utf8');
    const cut = bytes.indexOf(0x82); // inside `€`
    r.input.write(bytes.subarray(0, cut));
    r.input.write(bytes.subarray(cut));
    await tick();
    expect(r.messages).toEqual([
      { jsonrpc: '2.0', method: 'é€😀' },
      { jsonrpc: '2.0', method: 'z' },
    ]);
  });

  it('still reports a bad line in the middle of a chunk, and an oversized one when the limit is below the chunk size', async () => {
    const r = reader(40);
    await r.t.start();
    r.input.write(`{"jsonrpc":"2.0","method":"a"}\nnot json\n{"jsonrpc":"2.0","id":3,"method":"${'x'.repeat(40)}"}\n{"jsonrpc":"2.0","method":"b"}\n`);
    await tick();
    expect(r.messages).toEqual([
      { jsonrpc: '2.0', method: 'a' },
      { jsonrpc: '2.0', method: 'b' },
    ]);
    expect(r.errors.map((e) => [e.code, e.id])).toEqual([
      [-32700, undefined],
      [-32600, 3],
    ]);
  });
});

describe('writing', () => {
  it('sends every message of one tick in a single write, in order', async () => {
    const out = recorder();
    const t = new LineTransport(new PassThrough(), out.stream);
    await t.start();
    const sent = [1, 2, 3].map((id) => t.send({ jsonrpc: '2.0', id, method: 'ping' }));
    await Promise.all(sent);
    await t.send({ jsonrpc: '2.0', id: 4, method: 'ping' });
    expect(out.writes).toEqual([
      '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n{"jsonrpc":"2.0","id":3,"method":"ping"}\n',
      '{"jsonrpc":"2.0","id":4,"method":"ping"}\n',
    ]);
  });

  it('re-serialises a message another transport is delivering unless made to send the arrived text', async () => {
    const input = new PassThrough();
    const from = new LineTransport(input, new PassThrough());
    const out = recorder();
    const to = new LineTransport(new PassThrough(), out.stream);
    from.onmessage = (m) => void to.send(m);
    await from.start();
    await to.start();
    input.write('{ "id" : 1, "jsonrpc":"2.0","method":"a" }\n');
    await tick();
    expect(out.writes.join('')).toBe('{"id":1,"jsonrpc":"2.0","method":"a"}\n');
  });

  it('with sendArrivedText, forwards a message it is delivering as the exact text it came in, and anything else freshly serialised', async () => {
    const input = new PassThrough();
    const from = new LineTransport(input, new PassThrough());
    const out = recorder();
    const to = new LineTransport(new PassThrough(), out.stream, { sendArrivedText: true });
    let kept: JSONRPCMessage | undefined;
    from.onmessage = (m) => {
      if ((m as { id?: unknown }).id === 1) void to.send(m);
      else kept = m;
    };
    await from.start();
    await to.start();
    input.write('{ "id" : 1, "jsonrpc":"2.0","method":"a" }\n{ "id" : 2, "jsonrpc":"2.0","method":"b" }\n');
    await tick();
    // Sent after its delivery ended: serialised from the object.
    await to.send(kept as JSONRPCMessage);
    expect(out.writes.join('')).toBe('{ "id" : 1, "jsonrpc":"2.0","method":"a" }\n{"id":2,"jsonrpc":"2.0","method":"b"}\n');
  });

  it('writes what was sent before close ahead of the end of output, and refuses sends after', async () => {
    const out = recorder();
    let ended = false;
    out.stream.on('finish', () => (ended = true));
    const t = new LineTransport(new PassThrough(), out.stream, { endOutputOnClose: true });
    await t.start();
    void t.send({ jsonrpc: '2.0', method: 'last' });
    await t.close();
    await tick();
    expect(out.writes).toEqual(['{"jsonrpc":"2.0","method":"last"}\n']);
    expect(ended).toBe(true);
    await expect(t.send({ jsonrpc: '2.0', method: 'late' })).rejects.toThrow('transport closed');
  });

  it('rejects a message that cannot be serialised without holding up the others', async () => {
    const out = recorder();
    const t = new LineTransport(new PassThrough(), out.stream);
    await t.start();
    const bad = { jsonrpc: '2.0', method: 'x', params: { n: 1n } } as unknown as JSONRPCMessage;
    const results = await Promise.allSettled([t.send(bad), t.send({ jsonrpc: '2.0', method: 'ok' })]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(out.writes).toEqual(['{"jsonrpc":"2.0","method":"ok"}\n']);
  });
});
