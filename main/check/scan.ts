import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { scanPython } from './python.js';
import { scanTypeScript, TS_EXTENSIONS } from './typescript.js';
import type { Framework, ScanReport, SkippedFile, SourceFile } from './types.js';

/** Folders never scanned: dependencies, builds, caches, VCS (the original's list plus Node's). */
export const EXCLUDED_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'venv', '.venv', '__pycache__', '.pytest_cache', '.ruff_cache', '.mypy_cache', '.next', '.turbo', 'coverage', 'out']);

export interface ScanOptions {
  /** Only report tools of these frameworks. */
  frameworks?: readonly Framework[] | undefined;
}

const isTsLike = (p: string): boolean => TS_EXTENSIONS.includes(extname(p)) && !/\.d\.[cm]?ts$/.test(p);
const isPython = (p: string): boolean => extname(p) === '.py';

/** Every scannable file under `root` (symbolic links are not followed, so a link loop cannot hang a scan). */
function walk(root: string, out: string[], skipped: SkippedFile[], base: string): void {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (e) {
    // A folder we cannot read may hold tools: say so rather than pass it over.
    skipped.push({ file: relative(base, root).split(sep).join('/') || '.', reason: `cannot read: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(root, e.name);
    if (e.isDirectory()) {
      if (!EXCLUDED_DIRS.has(e.name)) walk(p, out, skipped, base);
    } else if (e.isFile() && (isTsLike(p) || isPython(p))) out.push(p);
  }
}

/**
 * Scans a file or a directory for agent tool definitions and reports which are gated. A single
 * file is scanned whatever its extension (`.py` as Python, anything else as TypeScript/JavaScript).
 * Throws when `path` does not exist.
 */
export function scan(path: string, opts: ScanOptions = {}): ScanReport {
  const abs = resolve(path);
  const st = statSync(abs);
  const root = st.isDirectory() ? abs : resolve(abs, '..');
  const paths: string[] = [];
  const skipped: SkippedFile[] = [];
  if (st.isDirectory()) walk(abs, paths, skipped, root);
  else if (st.isFile()) paths.push(abs);
  const unreadable = skipped.length;
  const ts: SourceFile[] = [];
  const py: SourceFile[] = [];
  for (const p of paths) {
    const rel = relative(root, p).split(sep).join('/');
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (e) {
      skipped.push({ file: rel, reason: `cannot read: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    (isPython(p) ? py : ts).push({ path: p, rel, text });
  }
  const a = scanTypeScript(ts);
  const b = scanPython(py);
  let tools = [...a.tools, ...b.tools];
  if (opts.frameworks?.length) tools = tools.filter((t) => opts.frameworks?.includes(t.framework));
  tools.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line || x.column - y.column));
  return { root, filesScanned: paths.length - (skipped.length - unreadable), tools, skipped: [...skipped, ...a.skipped, ...b.skipped].sort((x, y) => (x.file < y.file ? -1 : 1)) };
}
