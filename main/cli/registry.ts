import type { Command } from './command.js';

/**
 * Every CLI command, in the order `capfence --help` lists them. Add a command by importing its
 * module here: commands live one per file under `commands/`.
 */
export const commands: Command[] = [];
