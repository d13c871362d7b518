import { generateText, stepCountIs, tool as aiTool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { Agent, Runner, tool as openaiTool } from '@openai/agents-core';
import { ScriptedModel, functionCall, assistantMessage } from '@openai/agents-core/testing';
import { tool as lcTool } from '@langchain/core/tools';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { z } from 'zod';
import type { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { gateLangChainTool, gateMcpServer, gateOpenAITool, gateVercelTools } from '../../../main/gate/index.js';

/** What each framework's real tool call returns to the test: the tool's output, or the error the framework surfaced. */
export interface Outcome {
  output?: unknown;
  error?: unknown;
  /** How many times the tool's own body ran. */
  ran: number;
}

export interface GateSetup {
  runtime: ActionRuntime;
  actor: string;
  waitForApprovalMs?: number;
}

const transferInput = z.object({ to: z.string(), amount: z.number() });

/** A real `generateText` run with a mock model that calls the gated `transfer` tool once. */
export async function vercelCall(setup: GateSetup, args: { to: string; amount: number }): Promise<Outcome> {
  const o: Outcome = { ran: 0 };
  const tools = gateVercelTools(
    {
      transfer: aiTool({
        description: 'Send money',
        inputSchema: transferInput,
        execute: async ({ to, amount }) => {
          o.ran++;
          return `sent ${amount} to ${to}`;
        },
      }),
    },
    { ...setup, capability: 'payment.transfer' },
  );
  const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
  let step = 0;
  const model = new MockLanguageModelV3({
    doGenerate: async () =>
      step++ === 0
        ? { content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'transfer', input: JSON.stringify(args) }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] }
        : { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
  });
  const result = await generateText({ model, tools, prompt: 'pay', stopWhen: stepCountIs(3) });
  const parts = result.steps.flatMap((s) => s.content);
  const toolResult = parts.find((p) => p.type === 'tool-result');
  const toolError = parts.find((p) => p.type === 'tool-error');
  if (toolResult && toolResult.type === 'tool-result') o.output = toolResult.output;
  if (toolError && toolError.type === 'tool-error') o.error = toolError.error;
  return o;
}

/** A real OpenAI Agents SDK run with a scripted model that calls the gated `transfer` tool once. */
export async function openaiCall(setup: GateSetup, args: { to: string; amount: number }, approvalInterruption = false): Promise<Outcome & { interruptions?: number }> {
  const o: Outcome & { interruptions?: number } = { ran: 0 };
  const transfer = gateOpenAITool(
    openaiTool({
      name: 'transfer',
      description: 'Send money',
      parameters: transferInput,
      execute: async ({ to, amount }) => {
        o.ran++;
        return `sent ${amount} to ${to}`;
      },
    }),
    { ...setup, capability: 'payment.transfer', approvalInterruption },
  );
  const model = new ScriptedModel([[functionCall('transfer', args, { callId: 'call_1' })], [assistantMessage('done')]]);
  const agent = new Agent({ name: 'payer', instructions: 'pay', model, tools: [transfer] });
  try {
    const result = await new Runner({ tracingDisabled: true }).run(agent, 'pay');
    o.interruptions = result.interruptions.length;
    const out = result.newItems.find((i) => i.type === 'tool_call_output_item');
    if (out && 'output' in out) o.output = out.output;
  } catch (e) {
    o.error = e;
  }
  return o;
}

/** A real LangChain.js `tool().invoke()` of the gated tool. */
export async function langchainCall(setup: GateSetup, args: { to: string; amount: number }): Promise<Outcome> {
  const o: Outcome = { ran: 0 };
  const transfer = gateLangChainTool(
    lcTool(
      async ({ to, amount }: { to: string; amount: number }) => {
        o.ran++;
        return `sent ${amount} to ${to}`;
      },
      { name: 'transfer', description: 'Send money', schema: transferInput },
    ),
    { ...setup, capability: 'payment.transfer' },
  );
  try {
    o.output = await transfer.invoke(args);
  } catch (e) {
    o.error = e;
  }
  return o;
}

/** A real MCP `tools/call` from a client to a server whose tools are gated, over linked in-memory transports. */
export async function mcpCall(setup: GateSetup, args: { to: string; amount: number }): Promise<Outcome & { isError?: boolean }> {
  const o: Outcome & { isError?: boolean } = { ran: 0 };
  const server = gateMcpServer(new McpServer({ name: 'bank', version: '1.0.0' }), { ...setup, capability: 'payment.transfer' });
  server.registerTool('transfer', { description: 'Send money', inputSchema: { to: z.string(), amount: z.number() } }, async ({ to, amount }) => {
    o.ran++;
    return { content: [{ type: 'text' as const, text: `sent ${amount} to ${to}` }] };
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'agent', version: '1.0.0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  try {
    const r = await client.callTool({ name: 'transfer', arguments: args }, undefined, { timeout: 60_000 });
    const text = (r.content as { type: string; text?: string }[])[0]?.text;
    if (r.isError) {
      o.isError = true;
      o.error = text;
    } else o.output = text;
  } finally {
    await client.close();
    await server.close();
  }
  return o;
}
