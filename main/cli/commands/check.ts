import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { bool, parseArgs, str, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import type { Framework } from '../../check/types.js';

const FRAMEWORKS: readonly Framework[] = ['vercel-ai', 'openai-agents', 'langchain', 'mcp', 'crewai', 'autogen', 'llamaindex', 'base_tool'];

/** `capfence check [PATH] [--fail-on-ungated] [--json | --format text|json|sarif]`: finds agent tools that bypass the gate. */
export const checkCommand: Command = {
  path: ['check'],
  summary: 'Find agent tools (TypeScript, JavaScript, Python) that are not gated by CapFence',
  usage: 'capfence check [PATH=.] [--fail-on-ungated] [--json | --format text|json|sarif] [--framework NAME]...',
  async run(argv, io) {
    const args = parseArgs(argv, [
      { name: 'fail-on-ungated', type: 'boolean' },
      { name: 'strict', type: 'boolean' },
      { name: 'json', type: 'boolean' },
      { name: 'report-json', type: 'boolean' },
      { name: 'format', type: 'string' },
      { name: 'framework', short: 'f', type: 'multi' },
    ]);
    if (args.positionals.length > 1) throw new UsageError(`expected one path, got ${args.positionals.length}`);
    const format = str(args, 'format') ?? (bool(args, 'json') || bool(args, 'report-json') ? 'json' : 'text');
    if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`unknown format \`${format}\` (text, json or sarif)`);
    const frameworks = (args.flags['framework'] as string[] | undefined) ?? [];
    for (const f of frameworks) if (!FRAMEWORKS.includes(f as Framework)) throw new UsageError(`unknown framework \`${f}\` (one of ${FRAMEWORKS.join(', ')})`);
    const target = resolve(io.cwd, args.positionals[0] ?? '.');
    if (!existsSync(target)) {
      io.stderr(`error: path \`${args.positionals[0] ?? '.'}\` does not exist\n`);
      return ExitCode.usage;
    }
    // Loaded on use: the TypeScript parser is large, and other commands do not need it.
    let scanModule: typeof import('../../check/scan.js');
    try {
      scanModule = await import('../../check/scan.js');
    } catch (e) {
      if (!String((e as Error).message).includes('typescript')) throw e;
      io.stderr('error: `capfence check` parses sources with the `typescript` package, which is not installed\n  help: `npm install --save-dev typescript`\n');
      return ExitCode.failure;
    }
    const { scan } = scanModule;
    const { jsonReport, sarifReport, summary, textReport } = await import('../../check/report.js');
    const failOn = bool(args, 'fail-on-ungated') || bool(args, 'strict');
    const report = scan(target, { frameworks: frameworks as Framework[] });
    const { ungated } = summary(report);
    io.stdout(format === 'json' ? jsonReport(report) : format === 'sarif' ? sarifReport(report, failOn ? 'error' : 'warning') : textReport(report));
    if (failOn && ungated > 0) {
      if (format === 'text') io.stderr(`\nCI FAILED: ${ungated} ungated tool(s) found.\n`);
      return ExitCode.failure;
    }
    return ExitCode.ok;
  },
};
