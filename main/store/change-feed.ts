import type { SqliteDatabase } from './database.js';

/** One row of the `changes` table: something another process may want to see (`audit` changes are synthesized from the chain's head, with id 0). */
export interface Change {
  id: number;
  kind: 'audit' | 'approval' | 'grant' | 'policy' | 'server' | string;
  ref: string;
  at: number;
}

/**
 * Polls `PRAGMA data_version` (a counter SQLite bumps when another connection commits; reading
 * it costs microseconds) and reads `changes` past the cursor only when it moved. This is how
 * every process sees the others' writes within a few tens of milliseconds, without a server.
 */
export function watchChanges(db: SqliteDatabase, opts: { sinceId?: number; intervalMs?: number }, onChanges: (changes: Change[]) => void): () => void {
  const version = db.prepare('PRAGMA data_version').pluck();
  const read = db.prepare('SELECT id, kind, ref, at FROM changes WHERE id > ? ORDER BY id LIMIT 5000');
  // Audit appends write no `changes` row (they are the hottest write): a larger head is the change.
  const head = db.prepare('SELECT coalesce(max(seq), 0) FROM audit_chain').pluck();
  let cursor = opts.sinceId ?? ((db.prepare('SELECT coalesce(max(id), 0) FROM changes').pluck().get() as number) ?? 0);
  let lastHead = head.get() as number;
  let last = -1;
  let stopped = false;
  let ticks = 0;
  const tick = () => {
    if (stopped) return;
    try {
      const v = version.get() as number;
      // This connection's own commits do not move data_version: look anyway every few ticks.
      if (v !== last || ++ticks % 5 === 0) {
        last = v;
        for (;;) {
          const rows = read.all(cursor) as Change[];
          if (rows.length === 0) break;
          cursor = (rows[rows.length - 1] as Change).id;
          onChanges(rows);
          if (rows.length < 5000) break;
        }
        const h = head.get() as number;
        if (h > lastHead) {
          lastHead = h;
          onChanges([{ id: 0, kind: 'audit', ref: String(h), at: Date.now() / 1000 }]);
        }
      }
    } catch {
      // A locked or closing database: try again on the next tick.
    }
    timer = setTimeout(tick, opts.intervalMs ?? 20);
    timer.unref?.();
  };
  let timer = setTimeout(tick, 0);
  timer.unref?.();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * Waits until `check` returns a value, re-checking whenever another process commits (and every
 * few ticks, for this connection's own writes), until the timeout or the signal. No busy loop: a
 * cheap pragma every `intervalMs`.
 */
export function waitForChange<T>(db: SqliteDatabase, check: () => T | undefined, opts: { timeoutMs: number; signal?: AbortSignal; intervalMs?: number }): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const version = db.prepare('PRAGMA data_version').pluck();
    let last = version.get() as number;
    const deadline = Date.now() + opts.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const finish = (v: T | undefined) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(v);
    };
    const onAbort = () => finish(undefined);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) return finish(undefined);
    let ticks = 0;
    const tick = () => {
      try {
        const v = version.get() as number;
        if (v !== last || ++ticks % 5 === 0) {
          last = v;
          const got = check();
          if (got !== undefined) return finish(got);
        }
      } catch (e) {
        opts.signal?.removeEventListener('abort', onAbort);
        return reject(e);
      }
      if (Date.now() >= deadline) return finish(undefined);
      timer = setTimeout(tick, Math.min(opts.intervalMs ?? 10, Math.max(1, deadline - Date.now())));
    };
    timer = setTimeout(tick, opts.intervalMs ?? 10);
  });
}
