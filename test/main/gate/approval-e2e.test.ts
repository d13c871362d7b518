// @vitest-environment node
// An approval-required tool call waits; a person approves it from the CLI in another process; the
// call completes. Once per framework, with a real runtime on a real SQLite store.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { tempHome } from '../../helpers/temp.js';
import { ensureBuilt } from './build.js';
import { writeGatePolicy } from './policy.js';
import { langchainCall, mcpCall, openaiCall, vercelCall, type GateSetup, type Outcome } from './frameworks.js';
import { Agent, Runner, tool as openaiTool } from '@openai/agents-core';
import { ScriptedModel, assistantMessage, functionCall } from '@openai/agents-core/testing';
import { z } from 'zod';
import { gateOpenAITool } from '../../../main/gate/index.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/capfence.js');

beforeAll(() => {
  // The CLI runs from the build.
  ensureBuilt();
}, 240_000);

let t: ReturnType<typeof tempHome>;
let runtime: ActionRuntime;
beforeEach(() => {
  t = tempHome('capfence-gate-e2e-');
  runtime = ActionRuntime.fromPolicy(writeGatePolicy(t.home), { db: t.db, env: t.env });
});
afterEach(async () => {
  await runtime.close();
  rmSync(t.home, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...argv, '--db', t.db], { env: t.env, cwd: t.home });
  return stdout;
}

/** Polls the queue from another process until the call shows up, then approves it there. */
async function approveFromCli(): Promise<{ id: string; tool: string; arguments: unknown }> {
  for (let i = 0; i < 300; i++) {
    const pending = JSON.parse(await cli('pending-approvals', '--json')) as { id: string; tool: string; arguments: unknown }[];
    const first = pending[0];
    if (first) {
      expect(await cli('approve', first.id, '--by', 'tester')).toContain(`Request ${first.id} approved.`);
      return first;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no approval request appeared');
}

const big = { to: 'carol', amount: 2500 };
const cases: [string, (s: GateSetup, a: typeof big) => Promise<Outcome>, unknown][] = [
  ['Vercel AI SDK', vercelCall, 'sent 2500 to carol'],
  ['OpenAI Agents SDK', (s, a) => openaiCall(s, a, false), 'sent 2500 to carol'],
  ['LangChain.js', langchainCall, 'sent 2500 to carol'],
  ['MCP server', mcpCall, 'sent 2500 to carol'],
];

describe('approval from the CLI in another process', () => {
  for (const [name, call, expected] of cases) {
    it(`${name}: the call waits, is approved with \`capfence approve\`, and completes`, async () => {
      let settled = false;
      const outcome = call({ runtime, actor: 'agent-7', waitForApprovalMs: 60_000 }, big).finally(() => (settled = true));
      const request = await approveFromCli();
      expect(request).toMatchObject({ tool: 'transfer', arguments: big });
      const o = await outcome;
      expect(settled).toBe(true);
      expect(o.error).toBeUndefined();
      expect(o).toMatchObject({ ran: 1, output: expected });
      // Approved once: the identical call made again asks again.
      expect(JSON.parse(await cli('pending-approvals', '--json'))).toEqual([]);
    }, 120_000);
  }

  it('OpenAI Agents SDK: require_approval interrupts the run; approved from the CLI and in the SDK, the resumed run completes', async () => {
    let ran = 0;
    const transfer = gateOpenAITool(
      openaiTool({ name: 'transfer', description: 'Send money', parameters: z.object({ to: z.string(), amount: z.number() }), execute: async ({ to, amount }) => {
        ran++;
        return `sent ${amount} to ${to}`;
      } }),
      { runtime, actor: 'agent-7', capability: 'payment.transfer', waitForApprovalMs: 30_000 },
    );
    const model = new ScriptedModel([[functionCall('transfer', big, { callId: 'call_1' })], [assistantMessage('done')]]);
    const agent = new Agent({ name: 'payer', instructions: 'pay', model, tools: [transfer] });
    const runner = new Runner({ tracingDisabled: true });
    const first = await runner.run(agent, 'pay');
    expect(first.interruptions).toHaveLength(1);
    expect(ran).toBe(0);
    // The CapFence approval was queued when the run stopped: a person approves it from the CLI.
    expect(await approveFromCli()).toMatchObject({ tool: 'transfer', arguments: big });
    first.state.approve(first.interruptions[0] as (typeof first.interruptions)[number]);
    const resumed = await runner.run(agent, first.state);
    expect(ran).toBe(1);
    expect(resumed.finalOutput).toBe('done');
    const output = resumed.newItems.find((i) => i.type === 'tool_call_output_item');
    expect(output && 'output' in output ? output.output : undefined).toBe('sent 2500 to carol');
  }, 120_000);
});
