// Environment: node. CapFenceMCPSession in-process: a real SDK client to a real server-everything
// over stdio, a runtime over a real SQLite store in a temp CAPFENCE_HOME.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { AgentActionBlocked } from '../../../main/runtime/errors.js';
import { StoreBackend } from '../../../main/runtime/store-backend.js';
import { CapFenceMCPSession } from '../../../main/mcp/session.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { EVERYTHING, NODE, removeTestEnvs, testEnv, until, type TestEnv } from './helpers.js';

const POLICY = `
version: 1
deny:
  - mcp.everything.get-env
require_approval:
  - mcp.everything.get-sum
allow:
  - mcp.everything.echo
  - mcp.tool.execute
`;

let t: TestEnv;
let store: Store;
let runtime: ActionRuntime;
let client: Client;

const blockedBy = async (p: Promise<unknown>): Promise<AgentActionBlocked> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AgentActionBlocked);
  return e as AgentActionBlocked;
};

beforeAll(async () => {
  t = testEnv(POLICY, 'capfence-session-');
  store = openStore(t.db, { env: t.env });
  runtime = ActionRuntime.fromPolicy(t.policy, { backend: new StoreBackend(store, false) });
  client = new Client({ name: 'session-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: NODE, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }));
}, 30_000);

afterAll(async () => {
  await client?.close();
  await runtime?.close();
  await store?.close();
  removeTestEnvs();
});

describe('CapFenceMCPSession', () => {
  it('runs allowed calls and throws AgentActionBlocked with the verdict for denied ones, all audited', async () => {
    const s = new CapFenceMCPSession(client, { runtime, serverName: 'everything', agentId: 'lib-agent' });
    expect((await s.callTool({ name: 'echo', arguments: { message: 'hi' } })).content).toEqual([{ type: 'text', text: 'Echo: hi' }]);
    const e = await blockedBy(s.callTool({ name: 'get-env', arguments: {} }));
    expect(e.message).toBe("Tool 'get-env' blocked: policy_deny");
    expect(e.verdict).toMatchObject({ decision: 'deny', capability: 'mcp.everything.get-env', authorized: false });
    const entries = await store.audit.query({});
    expect(entries.filter((x) => x.actor === 'lib-agent').map((x) => [x.tool, x.decision])).toEqual(expect.arrayContaining([['echo', 'allow'], ['get-env', 'deny']]));
    // The session pinned the server's tools on first use.
    expect((await store.tools.list({ server: 'everything' })).length).toBeGreaterThan(5);
  });

  it('waits for an approval within its bound, then runs the call', async () => {
    const s = new CapFenceMCPSession(client, { runtime, serverName: 'everything', approvalTimeoutMs: 10_000 });
    const call = s.callTool({ name: 'get-sum', arguments: { a: 20, b: 22 } });
    await until(async () => (await store.approvals.list()).length === 1, 5000, 'the pending approval');
    const [pending] = await store.approvals.list();
    expect(pending).toMatchObject({ actor: 'mcp-agent', capability: 'mcp.everything.get-sum', arguments: { a: 20, b: 22 } });
    expect((await store.approvals.approve(pending?.id as string, { by: 'dana' })).ok).toBe(true);
    expect((await call).content).toEqual([{ type: 'text', text: 'The sum of 20 and 22 is 42.' }]);
  });

  it('gives up at its bound with the approval left pending; the identical retry runs once', async () => {
    const s = new CapFenceMCPSession(client, { runtime, serverName: 'everything', approvalTimeoutMs: 200 });
    const e = await blockedBy(s.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }));
    expect(e.verdict.decision).toBe('require_approval');
    const id = e.verdict.approvalId as string;
    expect(e.message).toContain(`capfence approve ${id}`);
    expect((await store.approvals.get(id))?.status).toBe('pending');
    await store.approvals.approve(id, { by: 'dana' });
    expect((await s.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } })).content).toEqual([{ type: 'text', text: 'The sum of 1 and 1 is 2.' }]);
    expect((await blockedBy(s.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } }))).verdict.approvalId).not.toBe(id);
  });

  it('maps names as the original does with the legacy flag', async () => {
    const s = new CapFenceMCPSession(client, { runtime, serverName: 'everything', legacyToolMap: true, pins: false });
    // `echo` matches no keyword group: the original's `mcp.tool.execute`, which this policy allows.
    expect((await s.callTool({ name: 'echo', arguments: { message: 'legacy' } })).content).toEqual([{ type: 'text', text: 'Echo: legacy' }]);
    // `get-sum` contains `get`: filesystem.read, which this policy does not allow.
    expect((await blockedBy(s.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }))).verdict.capability).toBe('filesystem.read');
  });
});
