import { resolve } from 'node:path';
import { bool, parseArgs, str } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut } from '../json-out.js';
import { ReplayEngine } from '../../replay/replay-engine.js';

const RULE = '='.repeat(60);

/** `capfence replay TRACE --policy P`: what a policy would have decided on a recorded trace. */
export const replayCommand: Command = {
  path: ['replay'],
  summary: 'Replay a recorded trace against a policy and count what changes',
  usage: 'capfence replay <trace.jsonl> --policy <policy.yaml> [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, [{ name: 'policy', short: 'p', type: 'string' }, { name: 'json', type: 'boolean' }], { minPositionals: 1 });
    const trace = args.positionals[0] as string;
    const policy = str(args, 'policy');
    if (!policy) {
      // The original replays against an empty policy (everything denied); ask for one instead.
      io.stderr('error: `--policy` is required: the policy to replay the trace against\n');
      return ExitCode.usage;
    }
    let summary;
    try {
      summary = await new ReplayEngine().simulatePolicy({ tracePath: resolve(io.cwd, trace), policyPath: resolve(io.cwd, policy) });
    } catch (e) {
      io.stderr(`error: ${(e as Error).message}\n`);
      return ExitCode.failure;
    }
    if (bool(args, 'json')) {
      io.stdout(
        `${jsonOut({
          total_events: summary.totalEvents,
          authorized: summary.authorized,
          blocked: summary.blocked,
          require_approval: summary.requireApproval,
          diffs_detected: summary.diffsDetected,
          warnings: summary.warnings,
          results: summary.results.map((r) => ({
            line: r.line,
            capability: r.capability,
            decision: r.decision,
            reason: r.reason,
            authorized: r.authorized,
            rule: r.rule,
            original_decision: r.originalDecision,
            differs: r.differs,
          })),
        })}\n`,
      );
      return ExitCode.ok;
    }
    for (const w of summary.warnings) io.stderr(`warning: ${w}\n`);
    const lines = [
      `[REPLAY] Simulating policy '${policy}' on trace '${trace}'...`,
      '',
      RULE,
      `Replayed ${summary.totalEvents} events:`,
      `  Authorized:         ${summary.authorized}`,
      `  Blocked:            ${summary.blocked}`,
      `  Requires Approval:  ${summary.requireApproval}`,
      `  Drifts/Diffs:       ${summary.diffsDetected}`,
      RULE,
      '',
      ...summary.results.map((r) => `  ${String(r.line).padStart(5)}  ${r.decision.padEnd(16)} ${r.capability}  ${r.reason}${r.differs ? `  (recorded: ${r.originalDecision})` : ''}`),
      '',
      `Status: ${summary.diffsDetected === 0 ? 'NO DRIFT' : 'DRIFT DETECTED'}`,
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return ExitCode.ok;
  },
};
