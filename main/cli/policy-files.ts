import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compilePolicy, type CompiledPolicy } from '../../shared/policy/compile.js';
import { formatDiagnostic, type PolicyDiagnostic } from '../../shared/policy/diagnostics.js';
import { loadPolicyFromDisk } from '../policy/load-policy.js';

/** Loads and compiles a policy for the CLI's policy commands; diagnostics rendered for people. */
export function compileFromDisk(path: string, cwd: string): { ok: true; compiled: CompiledPolicy; diagnostics: PolicyDiagnostic[] } | { ok: false; message: string; diagnostics: PolicyDiagnostic[] } {
  const abs = resolve(cwd, path);
  const r = loadPolicyFromDisk(abs, [dirname(abs), cwd]);
  if (!r.ok) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    return { ok: false, message: errors.map(relativize(cwd)).join('\n'), diagnostics: r.diagnostics };
  }
  // Diagnostics name the path as the user wrote it.
  r.policy.file = path;
  return { ok: true, compiled: compilePolicy(r.policy), diagnostics: r.diagnostics };
}

/** Renders a diagnostic with paths relative to the working directory. */
export function relativize(cwd: string) {
  return (d: PolicyDiagnostic): string => {
    const loc = d.location ? { ...d.location, file: d.location.file.startsWith(`${cwd}/`) ? d.location.file.slice(cwd.length + 1) : d.location.file } : undefined;
    return formatDiagnostic({ ...d, ...(loc ? { location: loc } : {}) });
  };
}

/** Reads a text file relative to `cwd`, or explains in one line why it cannot. */
export function readText(path: string, cwd: string): { ok: true; text: string; abs: string } | { ok: false; message: string } {
  const abs = resolve(cwd, path);
  try {
    return { ok: true, text: readFileSync(abs, 'utf8'), abs };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? `file \`${path}\` not found` : code === 'EISDIR' ? `\`${path}\` is a directory` : `cannot read \`${path}\`: ${(e as Error).message}` };
  }
}
