import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { bool, parseArgs, str } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { AUDIT_LOG_FLAGS, auditLogPathOf } from '../store-option.js';
import { jsonOut } from '../json-out.js';
import { capfenceHome } from '../../paths.js';
import { verifyAuditLogAsync } from '../../store/verify.js';

/** `capfence verify --audit-log DB`: VALID (exit 0) or INVALID with every problem (exit 3). */
export const verifyCommand: Command = {
  path: ['verify'],
  summary: 'Verify an audit log: hash chain, seqs and signed checkpoints (exit 3 when tampered)',
  usage: 'capfence verify [--audit-log DB] [--public-key K] [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, [
      ...AUDIT_LOG_FLAGS,
      { name: 'public-key', type: 'string' },
      { name: 'json', type: 'boolean' },
    ]);
    const path = auditLogPathOf(args, io);
    if (!existsSync(path)) {
      io.stderr(`error: audit log \`${path}\` not found\n`);
      return ExitCode.usage;
    }
    const publicKey = str(args, 'public-key');
    let report;
    let lastPrinted = 0;
    try {
      report = await verifyAuditLogAsync(path, {
        home: capfenceHome(io.env),
        ...(publicKey ? { publicKeyPath: resolve(io.cwd, publicKey) } : {}),
        onProgress: (done, total) => {
          // Progress on large logs, on stderr so `--json` output stays clean; a line per ~10%.
          if (total < 100_000 || (done - lastPrinted < total / 10 && done < total)) return;
          lastPrinted = done;
          io.stderr(`  verified ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} entries\n`);
        },
      });
    } catch (e) {
      io.stderr(`[VERIFY] Audit chain: INVALID\n  cannot read \`${path}\`: ${(e as Error).message}\n`);
      return ExitCode.invalid;
    }
    if (bool(args, 'json')) {
      io.stdout(`${jsonOut(report)}\n`);
      return report.valid ? ExitCode.ok : ExitCode.invalid;
    }
    if (report.valid) {
      io.stdout('[VERIFY] Audit chain: VALID\n  No tampering detected.\n');
      for (const w of report.warnings) io.stderr(`  warning: ${w}\n`);
      return ExitCode.ok;
    }
    io.stderr(`[VERIFY] Audit chain: INVALID\n  ${report.errors.length} error(s) detected:\n${report.errors.map((e) => `    - ${report.format === 'legacy-python' ? e.message : `[${e.kind}] ${e.message}`}\n`).join('')}`);
    for (const w of report.warnings) io.stderr(`  warning: ${w}\n`);
    return ExitCode.invalid;
  },
};
