import { bool, num, parseArgs, str, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut } from '../json-out.js';
import { DB_FLAGS, timeLeft, withStore } from '../store-option.js';
import { GrantError } from '../../store/grants.js';

/** `capfence grant --actor A --capability C ...`: a standing permission for require_approval decisions. */
export const grantCommand: Command = {
  path: ['grant'],
  summary: 'Grant an actor a capability that would otherwise need approval',
  usage: 'capfence grant --actor A --capability C [--environment E] [--duration S] [--session ID] [--uses N] [--by U] [--reason R] [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [
      ...DB_FLAGS,
      { name: 'actor', short: 'a', type: 'string' },
      { name: 'capability', short: 'c', type: 'string' },
      { name: 'environment', short: 'e', type: 'string' },
      { name: 'duration', type: 'string' },
      { name: 'session', short: 's', type: 'string' },
      { name: 'uses', type: 'string' },
      { name: 'by', type: 'string' },
      { name: 'reason', type: 'string' },
      { name: 'json', type: 'boolean' },
    ]);
    const actor = str(args, 'actor');
    const capability = str(args, 'capability');
    if (!actor || !capability) throw new UsageError('`--actor` and `--capability` are required');
    const duration = num(args, 'duration');
    const uses = num(args, 'uses');
    // The original turned `--duration 0` into a silent 1-hour grant; we refuse it.
    if (duration !== undefined && duration <= 0) throw new UsageError('`--duration` must be a positive number of seconds');
    const session = str(args, 'session');
    return withStore(args, io, async (store) => {
      try {
        const reason = str(args, 'reason');
        const g = await store.grants.create({
          actor,
          capability,
          environment: str(args, 'environment') ?? '*',
          grantedBy: str(args, 'by') ?? 'cli_admin',
          ...(duration !== undefined ? { durationSeconds: duration } : {}),
          ...(session ? { sessionId: session } : {}),
          ...(uses !== undefined ? { uses } : {}),
          ...(reason ? { reason } : {}),
        });
        if (bool(args, 'json')) {
          io.stdout(`${jsonOut(g)}\n`);
          return ExitCode.ok;
        }
        const kind = g.expiresAt !== null ? 'Temporary' : g.sessionId ? 'Session' : 'Standing';
        io.stdout(
          [
            `[GRANT] ${kind} grant ${g.id} created successfully!`,
            `  Actor:      ${g.actor}`,
            `  Capability: ${g.capability}`,
            `  Environment: ${g.environment}`,
            ...(g.expiresAt !== null ? [`  Expires:    In ${duration} seconds`] : ['  Expires:    when revoked']),
            ...(g.sessionId ? [`  Session ID: ${g.sessionId}`] : []),
            ...(g.usesLeft !== null ? [`  Uses:       ${g.usesLeft}`] : []),
          ].join('\n') + '\n',
        );
        return ExitCode.ok;
      } catch (e) {
        if (e instanceof GrantError) throw new UsageError(e.message);
        throw e;
      }
    });
  },
};

/** `capfence grants`: active grants with their time and uses left. */
export const grantsCommand: Command = {
  path: ['grants'],
  summary: 'List active grants with time and uses left',
  usage: 'capfence grants [--all] [--json] [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, { name: 'json', type: 'boolean' }, { name: 'all', type: 'boolean' }]);
    return withStore(args, io, async (store) => {
      const list = await store.grants.list({ activeOnly: !bool(args, 'all') });
      if (bool(args, 'json')) {
        io.stdout(`${jsonOut(list.map((g) => ({ ...g, seconds_left: g.expiresAt === null ? null : Math.max(0, g.expiresAt - Date.now() / 1000) })))}\n`);
        return ExitCode.ok;
      }
      if (list.length === 0) {
        io.stdout('No active grants.\n');
        return ExitCode.ok;
      }
      io.stdout(`${'ID'.padEnd(38)} ${'Actor'.padEnd(16)} ${'Capability'.padEnd(28)} ${'Env'.padEnd(10)} ${'Left'.padEnd(12)} Scope\n${'-'.repeat(120)}\n`);
      for (const g of list) {
        const scope = [g.usesLeft !== null ? `${g.usesLeft} use(s)` : null, g.sessionId ? `session ${g.sessionId}` : null, g.revokedAt ? 'revoked' : null, g.tampered ? 'TAMPERED' : null].filter(Boolean).join(', ') || 'unlimited';
        io.stdout(`${g.id.padEnd(38)} ${g.actor.padEnd(16)} ${g.capability.padEnd(28)} ${g.environment.padEnd(10)} ${timeLeft(g.expiresAt).padEnd(12)} ${scope}\n`);
      }
      return ExitCode.ok;
    });
  },
};

/** `capfence revoke ID`: ends a grant now. */
export const revokeCommand: Command = {
  path: ['revoke'],
  summary: 'Revoke a grant',
  usage: 'capfence revoke <grant-id> [--by U] [--db DB]',
  async run(argv, io) {
    const args = parseArgs(argv, [...DB_FLAGS, { name: 'by', type: 'string' }], { minPositionals: 1 });
    const id = args.positionals[0] as string;
    return withStore(args, io, async (store) => {
      const g = await store.grants.revoke(id, str(args, 'by') ?? 'cli_admin');
      if (!g) {
        io.stderr(`Grant ${id} not found or already revoked.\n`);
        return ExitCode.failure;
      }
      io.stdout(`Grant ${id} revoked.\n`);
      return ExitCode.ok;
    });
  },
};
