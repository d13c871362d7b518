import { bool, num, parseArgs, str, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut } from '../json-out.js';
import { DB_FLAGS, timeLeft, withStore } from '../store-option.js';

/** `capfence pending-approvals`: the queue, as the original prints it (or JSON). */
export const pendingApprovalsCommand: Command = {
  path: ['pending-approvals'],
  summary: 'List requests waiting for a person',
  usage: 'capfence pending-approvals [--db DB] [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, { name: 'json', type: 'boolean' }]);
    return withStore(args, io, async (store) => {
      const pending = await store.approvals.list({ status: 'pending' });
      if (bool(args, 'json')) {
        io.stdout(`${jsonOut(pending.map((a) => ({ id: a.id, actor: a.actor, capability: a.capability, tool: a.tool, arguments: a.arguments, reason: a.reason, rule: a.rule, created_at: a.createdAt, expires_at: a.expiresAt })))}\n`);
        return ExitCode.ok;
      }
      if (pending.length === 0) {
        io.stdout('No pending approvals.\n');
        return ExitCode.ok;
      }
      io.stdout(`${'ID'.padEnd(40)} ${'Agent ID'.padEnd(15)} ${'Tool'.padEnd(25)} ${'Capability'.padEnd(30)} Expires\n${'-'.repeat(120)}\n`);
      for (const a of pending) io.stdout(`${a.id.padEnd(40)} ${a.actor.padEnd(15)} ${a.tool.padEnd(25)} ${a.capability.padEnd(30)} ${timeLeft(a.expiresAt)}\n`);
      return ExitCode.ok;
    });
  },
};

const USER_FLAGS = [
  { name: 'by', type: 'string' as const },
  { name: 'user', short: 'u', type: 'string' as const },
  { name: 'reason', short: 'r', type: 'string' as const },
];

/** `capfence approve ID --by U [--grant-for S]`: resolves a request exactly once. */
export const approveCommand: Command = {
  path: ['approve'],
  summary: 'Approve a pending request (optionally with a time-limited grant)',
  usage: 'capfence approve <id> --by <user> [--grant-for <seconds>] [--reason R] [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, ...USER_FLAGS, { name: 'grant-for', type: 'string' }], { minPositionals: 1 });
    const id = args.positionals[0] as string;
    const by = str(args, 'by') ?? str(args, 'user') ?? 'cli_user';
    const grantFor = num(args, 'grant-for');
    if (grantFor !== undefined && grantFor <= 0) throw new UsageError('`--grant-for` must be a positive number of seconds');
    return withStore(args, io, async (store) => {
      const reason = str(args, 'reason');
      const r = await store.approvals.approve(id, { by, ...(reason ? { reason } : {}), ...(grantFor !== undefined ? { grantForSeconds: grantFor } : {}) });
      if (!r.ok) {
        io.stderr(`${r.error.message}\n`);
        return ExitCode.failure;
      }
      io.stdout(`Request ${id} approved.${r.value.grantId ? ` Grant ${r.value.grantId} allows the same calls for ${grantFor} s.` : ''}\n`);
      return ExitCode.ok;
    });
  },
};

/** `capfence reject ID --by U [--reason R]`: the reason reaches the agent. */
export const rejectCommand: Command = {
  path: ['reject'],
  summary: 'Deny a pending request, with a reason the agent will see',
  usage: 'capfence reject <id> --by <user> [--reason R] [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, ...USER_FLAGS], { minPositionals: 1 });
    const id = args.positionals[0] as string;
    return withStore(args, io, async (store) => {
      const reason = str(args, 'reason');
      const r = await store.approvals.deny(id, { by: str(args, 'by') ?? str(args, 'user') ?? 'cli_user', ...(reason ? { reason } : {}) });
      if (!r.ok) {
        io.stderr(`${r.error.message}\n`);
        return ExitCode.failure;
      }
      io.stdout(`Request ${id} rejected.\n`);
      return ExitCode.ok;
    });
  },
};
