// @vitest-environment node
// An approval-required tool call waits; a person approves it from the CLI in another process; the
// call completes. Once per framework, with a real runtime on a real SQLite store.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { tempHome } from '../../helpers/temp.js';
import { writeGatePolicy } from './policy.js';
import { langchainCall, mcpCall, openaiCall, vercelCall, type GateSetup, type Outcome } from './frameworks.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/capfence.js');

beforeAll(() => {
  // The CLI runs from the build. Others' work in progress may fail the typecheck; tsc still emits.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.main.build.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(join(ROOT, 'dist/node/main/cli/main.js'))) throw new Error('the build did not produce dist/node/main/cli/main.js');
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
});
