import type { CliIo } from './io.js';

/** One CLI command: `path` is the words that select it (`['policy', 'test']`). */
export interface Command {
  path: readonly string[];
  summary: string;
  usage: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}
