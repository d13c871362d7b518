import { existsSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { err, ok, type AppError, type Result } from '../../shared/result.js';
import { backupPathOf } from './client-paths.js';
import { wrapClientConfig, type GatewayLauncher, type ServerReport } from './wrap-config.js';

/** The folder holding `bin/capfence.js` and `package.json`, from this module's location (source or dist). */
export function capfenceBin(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const bin = join(dir, 'bin', 'capfence.js');
    if (existsSync(bin) && existsSync(join(dir, 'package.json'))) return bin;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find `bin/capfence.js` above the capfence package');
    dir = up;
  }
}

/** The file a path names, following symlinks (dotfile managers link configs), or the path itself if absent. */
function target(configPath: string): string {
  const abs = resolve(configPath);
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}

/** Replaces `path` with `bytes` in one step, keeping its mode: a crash leaves the old or the new file, never half. */
function writeAtomic(path: string, bytes: Buffer | string, mode: number): void {
  const tmp = `${path}.capfence-tmp-${process.pid}`;
  writeFileSync(tmp, bytes, { mode, flag: 'w' });
  renameSync(tmp, path);
}

export interface InstallOutcome {
  configPath: string;
  backupPath: string;
  /** False when every server was already wrapped (or none could be): the file is untouched. */
  changed: boolean;
  /** A backup was made by this install (false when one from an earlier install is kept). */
  backedUp: boolean;
  servers: ServerReport[];
}

/**
 * Wraps a client's stdio servers with `capfence gateway`. Before the first change, the exact
 * bytes of the file are copied to `<config>.capfence-backup`; a later install keeps that first
 * backup, so restore always returns the file as it was before CapFence touched it.
 */
export function installClientConfig(configPath: string, launcher: GatewayLauncher): Result<InstallOutcome> {
  const path = target(configPath);
  const backupPath = backupPathOf(path);
  let original: Buffer;
  try {
    original = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return err<AppError>({ code: code === 'ENOENT' ? 'CLIENT_CONFIG_MISSING' : 'CLIENT_CONFIG_UNREADABLE', message: code === 'ENOENT' ? `no configuration at \`${path}\`` : `cannot read \`${path}\`: ${(e as Error).message}` });
  }
  const wrapped = wrapClientConfig(original.toString('utf8'), launcher);
  if (!wrapped.ok) return err({ ...wrapped.error, message: `${path}: ${wrapped.error.message}` });
  const { text, changed, servers } = wrapped.value;
  if (!changed) return ok({ configPath: path, backupPath, changed: false, backedUp: false, servers });
  const mode = statSync(path).mode & 0o777;
  let backedUp = false;
  if (!existsSync(backupPath)) {
    // `wx`: never overwrite a backup, even one that appeared a moment ago.
    writeFileSync(backupPath, original, { mode, flag: 'wx' });
    backedUp = true;
  }
  writeAtomic(path, text, mode);
  return ok({ configPath: path, backupPath, changed: true, backedUp, servers });
}

/** Puts back the bytes saved by the first install and removes the backup. */
export function restoreClientConfig(configPath: string): Result<{ configPath: string; backupPath: string }> {
  const path = target(configPath);
  const backupPath = backupPathOf(path);
  let saved: Buffer;
  try {
    saved = readFileSync(backupPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return err<AppError>({ code: 'CLIENT_BACKUP_MISSING', message: code === 'ENOENT' ? `no backup at \`${backupPath}\`: nothing to restore` : `cannot read \`${backupPath}\`: ${(e as Error).message}` });
  }
  writeAtomic(path, saved, statSync(backupPath).mode & 0o777);
  unlinkSync(backupPath);
  return ok({ configPath: path, backupPath });
}
