// Environment: node. The built `capfence gateway` as a child process, a real SDK client over
// stdio, real server-everything upstream, a real SQLite store in a temp CAPFENCE_HOME, and the
// CLI run as separate processes to approve and reject.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../main/store/store.js';
import { cli, connectDirect, connectGateway, ensureBuilt, EVERYTHING, NODE, removeTestEnvs, testEnv, until, type GatewayClient, type TestEnv } from './helpers.js';

const POLICY = `
version: 1
deny:
  - capability: mcp.everything.get-env
  - capability: mcp.everything.echo
    contains: "launch codes"
require_approval:
  - capability: mcp.everything.get-sum
allow:
  - mcp.everything.echo
  - mcp.everything.get-structured-content
  - mcp.everything.get-tiny-image
  - mcp.everything.trigger-long-running-operation
  - mcp.everything.trigger-sampling-request
  - mcp.everything.trigger-elicitation-request
  - mcp.everything.toggle-simulated-logging
  - files.read
mcp:
  everything:
    get-annotated-*: files.read
`;

const UPSTREAM = [NODE, EVERYTHING, 'stdio'];
const FLAGS = ['--server-name', 'everything', '--agent-id', 'agent-7'];

const blocked = async (p: Promise<unknown>): Promise<McpError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(McpError);
  return e as McpError;
};

/** Observes a promise's outcome at once, so a rejection before the test awaits it is not "unhandled". */
const settle = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined);
  return p;
};

const idFrom = (message: string | undefined): string => {
  const m = /request ([0-9a-f-]{36})/.exec(message ?? '');
  if (!m?.[1]) throw new Error(`no request id in ${message}`);
  return m[1];
};

let t: TestEnv;
let gw: GatewayClient;
let direct: Client;
const sampled: string[] = [];
const logs: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  t = testEnv(POLICY);
  [gw, direct] = await Promise.all([
    connectGateway(t, UPSTREAM, {
      flags: FLAGS,
      capabilities: { sampling: {}, elicitation: {} },
      setup: (c) => {
        c.setRequestHandler(CreateMessageRequestSchema, async (req) => {
          sampled.push(JSON.stringify(req.params.messages));
          return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled through the gateway' } };
        });
        c.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
        c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(JSON.stringify(n.params)));
      },
    }),
    connectDirect(UPSTREAM),
  ]);
}, 60_000);

afterAll(async () => {
  // Nested suites' hooks run first, so every gateway is closed before the folders go.
  await Promise.all([gw?.close(), direct?.close()]);
  removeTestEnvs();
});

describe('capfence gateway over server-everything', () => {
  it('passes allowed calls through with results identical to a direct call', async () => {
    for (const [name, args] of [
      ['echo', { message: 'hello ünïcode ✓' }],
      ['get-structured-content', { location: 'New York' }],
      ['get-tiny-image', {}],
    ] as const) {
      const [via, straight] = await Promise.all([gw.client.callTool({ name, arguments: args }), direct.callTool({ name, arguments: args })]);
      expect(JSON.stringify(via)).toBe(JSON.stringify(straight));
    }
    const list = await gw.client.listTools();
    const straight = await direct.listTools();
    expect(list.tools.map((x) => x.name)).toEqual(expect.arrayContaining(straight.tools.map((x) => x.name)));
  });

  it('maps tools through the policy `mcp:` section', async () => {
    const r = await gw.client.callTool({ name: 'get-annotated-message', arguments: { messageType: 'success' } });
    expect(r.isError).toBeFalsy();
  });

  it('denies with the documented JSON-RPC error and records it', async () => {
    const e = await blocked(gw.client.callTool({ name: 'get-env', arguments: {} }));
    expect(e.code).toBe(-32000);
    expect(e.message).toContain('CapFence blocked this tool call');
    expect(e.data).toEqual({ reason: 'policy_deny', risk_score: 0.5, decision: 'deny', capability: 'mcp.everything.get-env', rule: 'deny[0]' });
    const cond = await blocked(gw.client.callTool({ name: 'echo', arguments: { message: 'the launch codes are 0000' } }));
    expect((cond.data as { rule: string }).rule).toBe('deny[1]');
    const store = openStore(t.db, { env: t.env });
    try {
      const entries = await store.audit.query({});
      const denied = entries.filter((x) => x.capability === 'mcp.everything.get-env');
      expect(denied.length).toBeGreaterThan(0);
      expect(denied[0]).toMatchObject({ actor: 'agent-7', decision: 'deny', tool: 'get-env', authorized: false });
    } finally {
      await store.close();
    }
  });

  it('runs 20 concurrent calls', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.client.callTool({ name: 'echo', arguments: { message: `m${i}` } })));
    results.forEach((r, i) => expect(r.content).toEqual([{ type: 'text', text: `Echo: m${i}` }]));
  });

  it('passes server notifications and server-to-client requests both ways', async () => {
    const progress: Progress[] = [];
    const r = await gw.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.4, steps: 2 } }, undefined, {
      onprogress: (p) => void progress.push(p),
    });
    expect((r.content as { text: string }[])[0]?.text).toContain('Long running operation completed');
    // server-everything sends its last step's progress without awaiting it, so it may trail the result.
    expect(progress[0]).toMatchObject({ progress: 1, total: 2 });

    const s = await gw.client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } });
    expect(JSON.stringify(s.content)).toContain('sampled through the gateway');
    expect(sampled.at(-1)).toContain('hi');

    const el = await gw.client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
    expect(JSON.stringify(el.content)).toContain('declined');

    await gw.client.setLoggingLevel('debug');
    await gw.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await until(() => logs.length > 0, 10_000, 'a logging notification');
    await gw.client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
  });

  it('holds a call needing approval, with progress, until `capfence approve` in another process', async () => {
    const progress: Progress[] = [];
    const call = gw.client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }, undefined, { onprogress: (p) => void progress.push(p) });
    await until(() => progress.length > 0, 10_000, 'progress');
    const id = idFrom(progress[0]?.message);
    const pending = await cli(['pending-approvals', '--json', '--db', t.db], t.env);
    expect(JSON.parse(pending.stdout)).toEqual([expect.objectContaining({ id, capability: 'mcp.everything.get-sum', actor: 'agent-7', arguments: { a: 1, b: 2 } })]);
    const ok = await cli(['approve', id, '--by', 'alice', '--db', t.db], t.env);
    expect(ok.code).toBe(0);
    const r = await call;
    expect(r.content).toEqual([{ type: 'text', text: 'The sum of 1 and 2 is 3.' }]);
  });

  it('answers a rejected call with the approver\'s reason, after progress every 2 s', async () => {
    const progress: Progress[] = [];
    const call = settle(gw.client.callTool({ name: 'get-sum', arguments: { a: 2, b: 2 } }, undefined, { onprogress: (p) => void progress.push(p) }));
    await until(() => progress.length >= 2, 10_000, 'two progress notifications');
    expect(progress[1]?.progress).toBeGreaterThan(progress[0]?.progress ?? 0);
    const id = idFrom(progress[0]?.message);
    expect((await cli(['reject', id, '--by', 'bob', '--reason', 'not on a Friday', '--db', t.db], t.env)).code).toBe(0);
    const e = await blocked(call);
    expect(e.code).toBe(-32000);
    expect(e.data).toMatchObject({ decision: 'deny', reason: `approval_denied:${id}: not on a Friday`, approver: 'bob', approver_reason: 'not on a Friday' });
    // Clients that show only the message still tell the model why.
    expect(e.message).toContain('CapFence blocked this tool call: denied by bob: not on a Friday');
  });

  it('cancels the pending approval when the client cancels a held call', async () => {
    const progress: Progress[] = [];
    const ac = new AbortController();
    const call = settle(gw.client.callTool({ name: 'get-sum', arguments: { a: 3, b: 3 } }, undefined, { onprogress: (p) => void progress.push(p), signal: ac.signal }));
    await until(() => progress.length > 0, 10_000, 'progress');
    const id = idFrom(progress[0]?.message);
    ac.abort('changed my mind');
    await expect(call).rejects.toThrow();
    const store = openStore(t.db, { env: t.env });
    try {
      await until(async () => (await store.approvals.get(id))?.status === 'cancelled', 5000, 'the approval to be cancelled');
    } finally {
      await store.close();
    }
  });

  it('runs a call with the arguments an approver edited', async () => {
    const progress: Progress[] = [];
    const call = gw.client.callTool({ name: 'get-sum', arguments: { a: 4, b: 4 } }, undefined, { onprogress: (p) => void progress.push(p) });
    await until(() => progress.length > 0, 10_000, 'progress');
    const store = openStore(t.db, { env: t.env });
    try {
      const r = await store.approvals.approve(idFrom(progress[0]?.message), { by: 'carol', editedArguments: { a: 40, b: 2 } });
      expect(r.ok).toBe(true);
    } finally {
      await store.close();
    }
    expect((await call).content).toEqual([{ type: 'text', text: 'The sum of 40 and 2 is 42.' }]);
  });
});

describe('capfence gateway with a short hold, results for denials and hidden tools', () => {
  let t2: TestEnv;
  let gw2: GatewayClient;
  beforeAll(async () => {
    t2 = testEnv(POLICY);
    gw2 = await connectGateway(t2, UPSTREAM, { flags: [...FLAGS, '--hold-seconds', '1', '--deny-as-result', '--hide-denied-tools'] });
  }, 30_000);
  afterAll(async () => gw2?.close());

  it('answers "still pending" at the hold budget; an identical retry attaches to the request, and after approval runs once', async () => {
    const started = Date.now();
    const r = await gw2.client.callTool({ name: 'get-sum', arguments: { a: 5, b: 6 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(r.isError).toBe(true);
    const text = (r.content as { text: string }[])[0]?.text ?? '';
    const id = idFrom(text);
    expect(text).toContain(`capfence approve ${id}`);
    expect(text).toContain('retry');
    // Retried while still pending: it waits on the same request instead of queueing another.
    const attached = await gw2.client.callTool({ name: 'get-sum', arguments: { a: 5, b: 6 } });
    expect(idFrom((attached.content as { text: string }[])[0]?.text)).toBe(id);
    const pending = JSON.parse((await cli(['pending-approvals', '--json', '--db', t2.db], t2.env)).stdout) as { id: string }[];
    expect(pending.map((p) => p.id)).toEqual([id]);
    expect((await cli(['approve', id, '--by', 'alice', '--db', t2.db], t2.env)).code).toBe(0);

    const retry = await gw2.client.callTool({ name: 'get-sum', arguments: { a: 5, b: 6 } });
    expect(retry.content).toEqual([{ type: 'text', text: 'The sum of 5 and 6 is 11.' }]);
    const again = await gw2.client.callTool({ name: 'get-sum', arguments: { a: 5, b: 6 } });
    expect(again.isError).toBe(true);
    expect(idFrom((again.content as { text: string }[])[0]?.text)).not.toBe(id);
  });

  it('returns a denial as an isError result the model can read', async () => {
    const r = await gw2.client.callTool({ name: 'get-env', arguments: {} });
    expect(r.isError).toBe(true);
    expect((r.content as { text: string }[])[0]?.text).toBe('CapFence blocked this tool call (deny for `mcp.everything.get-env`): policy_deny');
  });

  it('hides tools the policy denies outright', async () => {
    const names = (await gw2.client.listTools()).tools.map((x) => x.name);
    expect(names).toContain('echo');
    expect(names).toContain('get-sum');
    expect(names).toContain('get-annotated-message');
    expect(names).not.toContain('get-env');
    expect(names).not.toContain('gzip-file-as-resource');
  });
});
