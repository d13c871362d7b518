import type { Command } from './command.js';
import { checkPolicyCommand } from './commands/check-policy.js';
import { policyDiffCommand } from './commands/policy-diff.js';
import { policyExplainCommand } from './commands/policy-explain.js';
import { policyLintCommand } from './commands/policy-lint.js';
import { policyTestCommand } from './commands/policy-test.js';
import { replayCommand } from './commands/replay.js';
import { verifyCommand } from './commands/verify.js';

/**
 * Every CLI command, in the order `capfence --help` lists them. Add a command by importing its
 * module here: commands live one per file under `commands/`.
 */
export const commands: Command[] = [
  policyTestCommand,
  policyExplainCommand,
  policyDiffCommand,
  policyLintCommand,
  checkPolicyCommand,
  replayCommand,
  verifyCommand,
];
