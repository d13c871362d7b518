import { UsageError } from './args.js';
import type { Command } from './command.js';
import { commands } from './registry.js';
import { ExitCode, processIo, type CliIo } from './io.js';
import { VERSION } from '../version.js';

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  // Longest path first, so `policy test` wins over a hypothetical `policy`.
  const sorted = [...commands].sort((a, b) => b.path.length - a.path.length);
  for (const command of sorted) {
    if (command.path.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(command.path.length) };
  }
  return undefined;
}

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `capfence ${VERSION}: deterministic, fail-closed capability enforcement for AI agents\n\nUsage: capfence <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`capfence <command> --help\` for a command's options.\n`;
}

/** Runs the CLI in-process and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(helpText());
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.stdout(`capfence, version ${VERSION}\n`);
    return ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr(`error: unknown command \`${argv.join(' ')}\`\n\n${helpText()}`);
    return ExitCode.usage;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\nUsage: ${command.usage}\n`);
      return ExitCode.usage;
    }
    // A bug or an unexpected fault: say what happened in one line, never a stack trace.
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`error: ${message}\n`);
    if (io.env['CAPFENCE_DEBUG'] && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return ExitCode.failure;
  }
}

/** The process entry point used by `bin/capfence.js`. */
export async function main(argv: string[]): Promise<number> {
  return runCli(argv, processIo());
}
