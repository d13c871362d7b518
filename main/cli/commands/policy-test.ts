import { dirname, resolve } from 'node:path';
import { bool, parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut } from '../json-out.js';
import { compileFromDisk, readText } from '../policy-files.js';
import { parseCaseFile, runCase, type CaseResult } from '../../../shared/policy/cases.js';
import type { CompiledPolicy } from '../../../shared/policy/compile.js';

/** `capfence policy test CASES`: runs a case file (the original's format); exit 1 on any failure. */
export const policyTestCommand: Command = {
  path: ['policy', 'test'],
  summary: 'Run a policy case file and compare verdicts (exit 1 on a failure)',
  usage: 'capfence policy test <cases.yaml|cases.json> [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, [{ name: 'json', type: 'boolean' }], { minPositionals: 1 });
    const file = args.positionals[0] as string;
    const t = readText(file, io.cwd);
    if (!t.ok) {
      io.stderr(`error: ${t.message}\n`);
      return ExitCode.usage;
    }
    const parsed = parseCaseFile(t.text, file);
    if (!parsed.ok) {
      io.stderr(`error: ${parsed.error}\n`);
      return ExitCode.usage;
    }
    const baseDir = dirname(t.abs);
    const cache = new Map<string, CompiledPolicy | { error: string }>();
    const results: CaseResult[] = parsed.value.cases.map((c) => {
      if (!c.policy) return runCase(c, { error: `case \`${c.name}\` has no \`policy\`` });
      const abs = resolve(baseDir, c.policy);
      let compiled = cache.get(abs);
      if (!compiled) {
        const r = compileFromDisk(abs, io.cwd);
        compiled = r.ok ? r.compiled : { error: r.message };
        cache.set(abs, compiled);
      }
      return runCase(c, compiled);
    });
    const passed = results.filter((r) => r.passed).length;
    const suite = parsed.value.suite;
    if (bool(args, 'json')) {
      io.stdout(`${jsonOut({ suite, passed, total: results.length, failures: results.length - passed, results })}\n`);
    } else {
      io.stdout(`[POLICY TEST] ${suite}: ${passed}/${results.length} passed\n`);
      for (const r of results) {
        io.stdout(`  ${r.passed ? 'PASS' : 'FAIL'} ${r.name}: expected=${r.expected} actual=${r.actual} reason=${r.reason}\n`);
        if (r.error) io.stdout(`    ${r.error.replace(/\n/g, '\n    ')}\n`);
      }
    }
    return passed === results.length ? ExitCode.ok : ExitCode.failure;
  },
};
