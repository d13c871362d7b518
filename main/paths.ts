import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

/** Where CapFence keeps its database, keys and checkpoints: `$CAPFENCE_HOME`, else `~/.capfence`. */
export function capfenceHome(env: Env = process.env): string {
  const home = env['CAPFENCE_HOME'];
  return home && home.trim() !== '' ? resolve(home) : join(homedir(), '.capfence');
}

/** The shared SQLite file every process uses unless told otherwise (`--db`). */
export function defaultDbPath(env: Env = process.env): string {
  return join(capfenceHome(env), 'capfence.db');
}

/** Signing and commitment keys: outside the database, mode 0600 files in a 0700 folder. */
export function keysDir(env: Env = process.env): string {
  return join(capfenceHome(env), 'keys');
}

/** The copies of each database's latest signed checkpoint, kept outside the database. */
export function checkpointsDir(env: Env = process.env): string {
  return join(capfenceHome(env), 'checkpoints');
}
