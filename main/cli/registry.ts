import type { Command } from './command.js';
import { checkPolicyCommand } from './commands/check-policy.js';
import { checkCommand } from './commands/check.js';
import { policyDiffCommand } from './commands/policy-diff.js';
import { policyExplainCommand } from './commands/policy-explain.js';
import { policyLintCommand } from './commands/policy-lint.js';
import { policyTestCommand } from './commands/policy-test.js';
import { replayCommand } from './commands/replay.js';
import { verifyCommand } from './commands/verify.js';
import { approveCommand, pendingApprovalsCommand, rejectCommand } from './commands/approvals.js';
import { grantCommand, grantsCommand, revokeCommand } from './commands/grants.js';
import { auditExportCommand, logsCommand } from './commands/logs.js';
import { serversAddCommand } from './commands/servers-add.js';
import { serversListCommand } from './commands/servers-list.js';
import { serversRemoveCommand } from './commands/servers-remove.js';
import { serveCommand } from './commands/serve.js';
import { clientsInstallCommand, clientsRestoreCommand } from './commands/clients.js';
import { consoleCommand } from './commands/console.js';
import { gatewayCommand } from './commands/gateway.js';
import { toolsAcceptCommand, toolsListCommand } from './commands/tools.js';

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
  checkCommand,
  replayCommand,
  verifyCommand,
  logsCommand,
  auditExportCommand,
  pendingApprovalsCommand,
  approveCommand,
  rejectCommand,
  grantCommand,
  grantsCommand,
  revokeCommand,
  serversAddCommand,
  serversListCommand,
  serversRemoveCommand,
  serveCommand,
  clientsInstallCommand,
  clientsRestoreCommand,
  consoleCommand,
  gatewayCommand,
  toolsListCommand,
  toolsAcceptCommand,
];
