// Environment: node. A call cancelled while it is judged, in-process: the judge sees an aborted
// signal whether it read the signal before the cancel or only after, and nothing is forwarded.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { startPolicyProxy, type Judgement, type ToolCall } from '../../../main/mcp/proxy.js';

/** One side of the proxy, driven by the test: `deliver` is what that side sends the proxy. */
class FakeSide implements Transport {
  onclose?: () => void;
  onerror?: (e: Error) => void;
  onmessage?: (m: JSONRPCMessage) => void;
  readonly sent: JSONRPCMessage[] = [];
  async start(): Promise<void> {}
  async send(m: JSONRPCMessage): Promise<void> {
    this.sent.push(m);
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
  deliver(m: object): void {
    this.onmessage?.({ jsonrpc: '2.0', ...m } as JSONRPCMessage);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

async function proxyWithJudge(judge: (call: ToolCall) => Promise<Judgement>) {
  const client = new FakeSide();
  const upstream = new FakeSide();
  const proxy = await startPolicyProxy({ client, upstream, judge: { judge }, serverName: 'fake' });
  return { client, upstream, proxy };
}

describe('cancelling a call while it is judged', () => {
  it('gives a judge that reads the signal only after the cancel an already aborted one', async () => {
    let release: () => void = () => undefined;
    const seen: { aborted: boolean; reason: unknown }[] = [];
    const { client, upstream, proxy } = await proxyWithJudge(async (call) => {
      await new Promise<void>((r) => (release = r));
      seen.push({ aborted: call.signal.aborted, reason: (call.signal.reason as Error | undefined)?.message });
      return { kind: 'forward', arguments: call.arguments };
    });
    client.deliver({ id: 1, method: 'tools/call', params: { name: 't', arguments: {} } });
    await tick();
    client.deliver({ method: 'notifications/cancelled', params: { requestId: 1 } });
    release();
    await tick();
    expect(seen).toEqual([{ aborted: true, reason: 'cancelled by the client' }]);
    expect(upstream.sent).toEqual([]);
    expect(client.sent).toEqual([]);
    await proxy.close();
  });

  it('aborts a signal the judge already holds, and forwards nothing', async () => {
    const { client, upstream, proxy } = await proxyWithJudge(
      (call) => new Promise<Judgement>((resolve) => call.signal.addEventListener('abort', () => resolve({ kind: 'forward', arguments: call.arguments }))),
    );
    client.deliver({ id: 'a', method: 'tools/call', params: { name: 't', arguments: {} } });
    await tick();
    client.deliver({ method: 'notifications/cancelled', params: { requestId: 'a' } });
    await tick();
    expect(upstream.sent).toEqual([]);
    expect(client.sent).toEqual([]);
    await proxy.close();
  });

  it('forwards a call whose judge never reads the signal', async () => {
    const { client, upstream, proxy } = await proxyWithJudge(async (call) => ({ kind: 'forward', arguments: call.arguments }));
    client.deliver({ id: 2, method: 'tools/call', params: { name: 't', arguments: { x: 1 } } });
    await tick();
    expect(upstream.sent).toEqual([{ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 't', arguments: { x: 1 } } }]);
    await proxy.close();
  });
});
