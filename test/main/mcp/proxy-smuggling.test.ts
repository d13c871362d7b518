// Environment: node. Regression: the proxy forwarded a client message it did not judge as the
// exact text it arrived as. With duplicate keys the proxy (last key wins, as JSON.parse) and an
// upstream whose parser keeps the first key read different messages: a `tools/call` could reach
// the server hidden behind a second `"method":"ping"`, never judged.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineTransport } from '../../../main/mcp/line-transport.js';
import { startPolicyProxy } from '../../../main/mcp/proxy.js';

const tick = () => new Promise((r) => setImmediate(r));

function wire() {
  const clientIn = new PassThrough();
  const clientOut = new PassThrough();
  const upIn = new PassThrough();
  const upOut = new PassThrough();
  const toClient: string[] = [];
  const toUpstream: string[] = [];
  clientOut.on('data', (c: Buffer) => toClient.push(c.toString('utf8')));
  upOut.on('data', (c: Buffer) => toUpstream.push(c.toString('utf8')));
  return {
    clientIn,
    upIn,
    toClient: () => toClient.join(''),
    toUpstream: () => toUpstream.join(''),
    client: new LineTransport(clientIn, clientOut, { sendArrivedText: true }),
    upstream: new LineTransport(upIn, upOut),
  };
}

describe('what the proxy forwards', () => {
  it('re-serialises every client message for the upstream, so a duplicate key cannot smuggle a tools/call past the judge', async () => {
    const w = wire();
    const judged: string[] = [];
    const proxy = await startPolicyProxy({
      client: w.client,
      upstream: w.upstream,
      serverName: 's',
      judge: { judge: async (call) => (judged.push(call.name), { kind: 'forward', arguments: call.arguments }) },
    });
    w.clientIn.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete_everything","arguments":{}},"method":"ping"}\n');
    w.clientIn.write('{"jsonrpc":"2.0","id":2,  "method":"tools/list"}\n');
    await tick();
    await tick();
    expect(judged).toEqual([]);
    const lines = w.toUpstream().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toContain('tools/call');
    expect(JSON.parse(lines[0] as string)).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping', params: { name: 'delete_everything', arguments: {} } });
    expect(lines[1]).toBe('{"jsonrpc":"2.0","id":2,"method":"tools/list"}');
    await proxy.close();
  });

  it('passes an upstream answer to the client as the exact text it came in', async () => {
    const w = wire();
    const proxy = await startPolicyProxy({ client: w.client, upstream: w.upstream, serverName: 's', judge: { judge: async (call) => ({ kind: 'forward', arguments: call.arguments }) } });
    w.clientIn.write('{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
    await tick();
    w.upIn.write('{ "jsonrpc" : "2.0", "id" : 7, "result" : { "b" : 1, "a" : 2 } }\n');
    await tick();
    await tick();
    expect(w.toClient()).toBe('{ "jsonrpc" : "2.0", "id" : 7, "result" : { "b" : 1, "a" : 2 } }\n');
    await proxy.close();
  });
});
