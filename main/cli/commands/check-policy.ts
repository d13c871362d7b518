import { parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { compileFromDisk, relativize } from '../policy-files.js';
import { lintPolicy } from '../../../shared/policy/lint.js';

/** `capfence check-policy POLICY`: the original's validity check, with located errors. */
export const checkPolicyCommand: Command = {
  path: ['check-policy'],
  summary: 'Validate a policy file (exit 2 when invalid)',
  usage: 'capfence check-policy <policy.yaml>',
  async run(argv, io) {
    const args = parseArgs(argv, [], { minPositionals: 1 });
    const path = args.positionals[0] as string;
    const r = compileFromDisk(path, io.cwd);
    if (!r.ok) {
      const first = r.diagnostics.find((d) => d.severity === 'error');
      io.stderr(`[POLICY] INVALID: ${path}\n  PolicyLoadError: ${first?.legacyMessage ?? first?.message ?? 'invalid policy'}\n`);
      for (const line of r.message.split('\n')) io.stderr(`  ${line.replace(/\n/g, '\n  ')}\n`);
      return ExitCode.usage;
    }
    const policy = r.compiled.policy;
    io.stdout(`[POLICY] VALID: ${path}\n  Rules: ${policy.rules.length}\n  Risk levels: ${Object.keys(policy.riskLevels).length}\n`);
    const invalid = lintPolicy(policy).filter((d) => d.code === 'invalid-capability');
    for (const d of invalid) io.stderr(`  ${relativize(io.cwd)(d)}\n`);
    return ExitCode.ok;
  },
};
