import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ActionRuntime } from '../runtime/action-runtime.js';
import { loadPolicyForRuntime } from '../policy/load-policy.js';

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The texts of every file a policy was assembled from (its `extends` included), hashed together. */
function fingerprint(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f).update('\0');
    try {
      h.update(readFileSync(f));
    } catch {
      h.update('\0missing\0');
    }
    h.update('\0');
  }
  return h.digest('hex');
}

/**
 * Reloads the runtime's policy when its file (or a file it extends) is saved: `fs.watch` on the
 * folders (editors replace files by renaming), debounced, plus a slow poll for missed events; a
 * content hash decides whether anything changed. A new text that does not load is reported and
 * ignored: decisions go on with the last valid policy, never with less of one.
 */
export function watchPolicy(runtime: ActionRuntime, opts: { log: (line: string) => void; debounceMs?: number; pollMs?: number }): () => void {
  const path = runtime.policy.path;
  let files = [...new Set([resolve(path), ...runtime.policy.policy.files.map((f) => resolve(f))])];
  let last = fingerprint(files);
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const check = () => {
    timer = undefined;
    if (stopped) return;
    const now = fingerprint(files);
    if (now === last) return;
    last = now;
    try {
      const loaded = loadPolicyForRuntime(path);
      runtime.reload(loaded);
      const newFiles = [...new Set([resolve(path), ...loaded.policy.files.map((f) => resolve(f))])];
      if (newFiles.join('\n') !== files.join('\n')) {
        files = newFiles;
        last = fingerprint(files);
        rewatch();
      }
      opts.log(`policy reloaded from ${path}`);
    } catch (e) {
      opts.log(`policy not reloaded, still enforcing the last valid version: ${errorText(e)}`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, opts.debounceMs ?? 100);
    timer.unref();
  };
  const rewatch = () => {
    for (const w of watchers) w.close();
    watchers = [];
    const names = new Map<string, Set<string>>();
    for (const f of files) {
      const d = dirname(f);
      if (!names.has(d)) names.set(d, new Set());
      names.get(d)?.add(basename(f));
    }
    for (const [dir, set] of names) {
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || set.has(name.toString())) schedule();
        });
        w.on('error', () => undefined);
        watchers.push(w);
      } catch (e) {
        opts.log(`cannot watch ${dir} for policy changes (polling instead): ${errorText(e)}`);
      }
    }
  };
  rewatch();
  const poll = setInterval(schedule, opts.pollMs ?? 2000);
  poll.unref();
  return () => {
    stopped = true;
    clearInterval(poll);
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
