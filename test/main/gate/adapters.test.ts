// @vitest-environment node
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tool as aiTool } from 'ai';
import { tool as lcTool } from '@langchain/core/tools';
import { tool as openaiTool, RunContext } from '@openai/agents-core';
import { z } from 'zod';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { AgentActionBlocked } from '../../../main/runtime/errors.js';
import { gateLangChainTool, gateMcpHandler, gateMcpServer, gateOpenAITool, gateVercelTool, isGated } from '../../../main/gate/index.js';
import { openStore } from '../../../main/store/store.js';
import { tempHome } from '../../helpers/temp.js';
import { writeGatePolicy } from './policy.js';
import { langchainCall, mcpCall, openaiCall, vercelCall } from './frameworks.js';

let t: ReturnType<typeof tempHome>;
let runtime: ActionRuntime;
beforeEach(() => {
  t = tempHome('capfence-adapters-');
  runtime = ActionRuntime.fromPolicy(writeGatePolicy(t.home), { db: t.db, env: t.env });
});
afterEach(async () => {
  await runtime.close();
  rmSync(t.home, { recursive: true, force: true });
});

const small = { to: 'bob', amount: 10 };
const big = { to: 'bob', amount: 5000 };

async function decisions(): Promise<string[]> {
  const store = openStore(t.db, { env: t.env });
  try {
    return (await store.audit.query({})).filter((e) => e.kind === 'decision').map((e) => `${e.tool}:${e.decision}`);
  } finally {
    await store.close();
  }
}

describe('Vercel AI SDK adapter (generateText with a mock model)', () => {
  it('runs an allowed call and records it', async () => {
    const o = await vercelCall({ runtime, actor: 'agent' }, small);
    expect(o).toMatchObject({ ran: 1, output: 'sent 10 to bob' });
    expect(await decisions()).toEqual(['transfer:allow']);
  });
  it('blocks a call needing approval: the model sees a tool error, the tool never runs', async () => {
    const o = await vercelCall({ runtime, actor: 'agent' }, big);
    expect(o.ran).toBe(0);
    expect(o.error).toBeInstanceOf(AgentActionBlocked);
    expect((o.error as AgentActionBlocked).verdict.decision).toBe('require_approval');
  });
  it('refuses a tool without execute, and marks what it gates', () => {
    expect(() => gateVercelTool(aiTool({ inputSchema: z.object({}) }), { runtime, actor: 'a', name: 'client_side' })).toThrow(/no `execute`/);
    const t1 = gateVercelTool(aiTool({ inputSchema: z.object({}), execute: async () => 1 }), { runtime, actor: 'a', name: 'x' });
    expect(isGated(t1)).toBe(true);
    expect(isGated(t1.execute)).toBe(true);
  });
});

describe('OpenAI Agents SDK adapter (Runner with a scripted model)', () => {
  it('runs an allowed call through a real agent run', async () => {
    const o = await openaiCall({ runtime, actor: 'agent' }, small);
    expect(o.error).toBeUndefined();
    expect(o).toMatchObject({ ran: 1, output: 'sent 10 to bob' });
    expect(await decisions()).toEqual(['transfer:allow']);
  });
  it('a deny throws AgentActionBlocked out of the run, and the tool never runs', async () => {
    const shell = gateOpenAITool(openaiTool({ name: 'shell', description: 'run', parameters: z.object({ cmd: z.string() }), execute: async () => 'ran' }), { runtime, actor: 'agent', capability: 'shell.exec' });
    await expect(shell.invoke(new RunContext(), JSON.stringify({ cmd: 'ls' }))).rejects.toBeInstanceOf(AgentActionBlocked);
    await expect(shell.invoke(new RunContext(), '{not json')).rejects.toThrow(/gate_error/);
  });
  it('maps require_approval to the needsApproval interruption, with the CapFence approval queued', async () => {
    const o = await openaiCall({ runtime, actor: 'agent' }, big, true);
    expect(o.error).toBeUndefined();
    expect(o.interruptions).toBe(1);
    expect(o.ran).toBe(0);
    const store = openStore(t.db, { env: t.env });
    const pending = await store.approvals.list({ status: 'pending' });
    await store.close();
    expect(pending.map((p) => [p.tool, p.capability, p.arguments])).toEqual([['transfer', 'payment.transfer', big]]);
  });
  it('approving in the SDK alone does not run the tool: the resumed call is blocked', async () => {
    const { Agent, Runner } = await import('@openai/agents-core');
    const { ScriptedModel, functionCall, assistantMessage } = await import('@openai/agents-core/testing');
    let ran = 0;
    const transfer = gateOpenAITool(openaiTool({ name: 'transfer', description: 'pay', parameters: z.object({ to: z.string(), amount: z.number() }), execute: async () => ++ran }), { runtime, actor: 'agent', capability: 'payment.transfer' });
    const agent = new Agent({ name: 'payer', model: new ScriptedModel([[functionCall('transfer', big, { callId: 'c1' })], [assistantMessage('done')]]), tools: [transfer] });
    const runner = new Runner({ tracingDisabled: true });
    const first = await runner.run(agent, 'pay');
    expect(first.interruptions).toHaveLength(1);
    first.state.approve(first.interruptions[0] as (typeof first.interruptions)[number]);
    const err = await runner.run(agent, first.state).then(() => undefined, (e: unknown) => e);
    let cause: unknown = err;
    // The SDK reports a tool that threw as a ToolCallError holding it in `error`.
    while (cause && !(cause instanceof AgentActionBlocked)) cause = (cause as { error?: unknown; cause?: unknown }).error ?? (cause as { cause?: unknown }).cause;
    expect(cause).toBeInstanceOf(AgentActionBlocked);
    expect((cause as AgentActionBlocked).verdict.decision).toBe('require_approval');
    expect(ran).toBe(0);
  });
  it('does not interrupt calls the policy allows or denies outright', async () => {
    const o = await openaiCall({ runtime, actor: 'agent' }, small, true);
    expect(o).toMatchObject({ ran: 1, interruptions: 0 });
  });
});

describe('LangChain.js adapter (tool().invoke)', () => {
  it('runs an allowed call', async () => {
    expect(await langchainCall({ runtime, actor: 'agent' }, small)).toMatchObject({ ran: 1, output: 'sent 10 to bob' });
  });
  it('rejects a call needing approval with AgentActionBlocked', async () => {
    const o = await langchainCall({ runtime, actor: 'agent' }, big);
    expect(o.ran).toBe(0);
    expect(o.error).toBeInstanceOf(AgentActionBlocked);
  });
  it('gates a StructuredTool subclass through _call, on the instance', async () => {
    const { StructuredTool } = await import('@langchain/core/tools');
    let ran = 0;
    class Shell extends StructuredTool {
      name = 'shell';
      description = 'run a command';
      schema = z.object({ cmd: z.string() });
      async _call({ cmd }: { cmd: string }): Promise<string> {
        ran++;
        return `ran ${cmd}`;
      }
    }
    const shell = gateLangChainTool(new Shell(), { runtime, actor: 'agent', capability: 'shell.exec' });
    await expect(shell.invoke({ cmd: 'ls' })).rejects.toBeInstanceOf(AgentActionBlocked);
    expect(ran).toBe(0);
    const weather = gateLangChainTool(lcTool(async () => 'sunny', { name: 'weather', description: 'w', schema: z.object({}) }), { runtime, actor: 'agent' });
    await expect(weather.invoke({})).resolves.toBe('sunny');
  });
});

describe('MCP server adapter (McpServer.registerTool, real client over in-memory transports)', () => {
  it('runs an allowed call', async () => {
    expect(await mcpCall({ runtime, actor: 'agent' }, small)).toMatchObject({ ran: 1, output: 'sent 10 to bob' });
  });
  it('returns a blocked call to the client as an isError result', async () => {
    const o = await mcpCall({ runtime, actor: 'agent' }, big);
    expect(o).toMatchObject({ ran: 0, isError: true });
    expect(String(o.error)).toMatch(/Approval required/);
  });
  it('also gates the older tool() API and handlers swapped in with update(); refuses task tools', async () => {
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
    let ran = 0;
    const server = gateMcpServer(new McpServer({ name: 's', version: '1' }), { runtime, actor: 'agent', capability: 'shell.exec' });
    server.tool('rm', async () => ({ content: [{ type: 'text' as const, text: `ran ${++ran}` }] }));
    const ls = server.registerTool('ls', {}, async () => ({ content: [] }));
    ls.update({ callback: async () => ({ content: [{ type: 'text' as const, text: `ran ${++ran}` }] }) });
    expect(() => server.experimental.tasks.registerToolTask('long', {}, { createTask: async () => ({}) as never, getTask: async () => ({}) as never, getTaskResult: async () => ({}) as never })).toThrow(/cannot be gated/);
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'c', version: '1' });
    await Promise.all([server.connect(a), client.connect(b)]);
    for (const name of ['rm', 'ls']) expect((await client.callTool({ name, arguments: {} })).isError).toBe(true);
    expect(ran).toBe(0);
    await client.close();
    await server.close();
  });

  it('gates a single handler, with or without an input schema', async () => {
    let ran = 0;
    const h = gateMcpHandler('get_weather', async (_extra: unknown) => {
      ran++;
      return { content: [] };
    }, { runtime, actor: 'agent' });
    await expect(h({ signal: new AbortController().signal })).resolves.toEqual({ content: [] });
    const denied = gateMcpHandler('rm', async (_args: unknown, _extra: unknown) => ran++, { runtime, actor: 'agent', capability: 'shell.exec' });
    await expect(denied({ path: '/' }, {})).rejects.toBeInstanceOf(AgentActionBlocked);
    expect(ran).toBe(1);
  });
});
