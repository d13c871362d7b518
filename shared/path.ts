/** Minimal path helpers for pure code (no `node:path` in shared/): both separators understood. */
export function dirnameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (i < 0) return '.';
  if (i === 0) return path[0] as string;
  return path.slice(0, i);
}

/** True for `/x`, `\x` and `C:\x` style paths. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path);
}

/** Joins a base directory and a relative path, folding `.` and `..` segments. */
export function joinPath(base: string, rel: string): string {
  if (isAbsolutePath(rel)) return normalizePath(rel);
  return normalizePath(`${base}/${rel}`);
}

/** Folds `.`/`..` and duplicate separators; keeps a leading `/` and leading `..` segments. */
export function normalizePath(path: string): string {
  const abs = path.startsWith('/');
  const drive = /^[A-Za-z]:/.exec(path)?.[0] ?? '';
  const parts = path.slice(drive.length).split(/[\\/]+/);
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (p === '..' && (abs || drive)) continue;
    else out.push(p);
  }
  const joined = out.join('/');
  return drive + (abs || drive ? '/' : '') + (joined || (abs || drive ? '' : '.'));
}
