import { bool, parseArgs, str } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { compileFromDisk, readText, relativize } from '../policy-files.js';
import { lintPolicy } from '../../../shared/policy/lint.js';
import { parseCaseFile } from '../../../shared/policy/cases.js';
import { normalizeCaseEvent } from '../../../shared/policy/normalize.js';
import type { DecisionInput } from '../../../shared/policy/types.js';

/** `capfence policy lint POLICY`: advice on broad, shadowed, dead and untestable rules. */
export const policyLintCommand: Command = {
  path: ['policy', 'lint'],
  summary: 'Find overly broad, shadowed and never-matching rules',
  usage: 'capfence policy lint <policy.yaml> [--events cases.yaml] [--json] [--strict]',
  async run(argv, io) {
    const args = parseArgs(argv, [{ name: 'json', type: 'boolean' }, { name: 'strict', type: 'boolean' }, { name: 'events', type: 'string' }], { minPositionals: 1 });
    const path = args.positionals[0] as string;
    const r = compileFromDisk(path, io.cwd);
    if (!r.ok) {
      io.stderr(`${r.message}\n`);
      return ExitCode.usage;
    }
    const events: DecisionInput[] = [];
    const eventsPath = str(args, 'events');
    if (eventsPath) {
      const t = readText(eventsPath, io.cwd);
      if (!t.ok) {
        io.stderr(`error: ${t.message}\n`);
        return ExitCode.usage;
      }
      const cf = parseCaseFile(t.text, eventsPath);
      if (!cf.ok) {
        io.stderr(`error: ${cf.error}\n`);
        return ExitCode.usage;
      }
      for (const c of cf.value.cases) events.push(normalizeCaseEvent(c.event));
    }
    const findings = lintPolicy(r.compiled.policy, events);
    if (bool(args, 'json')) io.stdout(`${JSON.stringify({ policy: path, warnings: findings }, null, 2)}\n`);
    else if (findings.length === 0) io.stdout(`[POLICY LINT] ${path}: no findings\n`);
    else {
      io.stdout(`[POLICY LINT] ${path}: ${findings.length} finding(s)\n`);
      for (const f of findings) io.stdout(`${relativize(io.cwd)(f)}\n`);
    }
    return bool(args, 'strict') && findings.length > 0 ? ExitCode.failure : ExitCode.ok;
  },
};
