import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCapability } from '../../shared/policy/capability.js';
import { compilePolicy, type CompiledPolicy } from '../../shared/policy/compile.js';
import type { PolicyDiagnostic } from '../../shared/policy/diagnostics.js';
import { loadPolicyFile, loadPolicyText, type LoadResult, type PolicyReader } from '../../shared/policy/load.js';
import { MAX_POLICY_BYTES } from '../../shared/policy/parse.js';
import type { Policy } from '../../shared/policy/types.js';

/** Reads policy files from disk for the pure loader; refuses directories and oversized files. */
export function fsPolicyReader(searchPaths: readonly string[] = []): PolicyReader {
  return {
    searchPaths,
    read: (path) => {
      try {
        const st = statSync(path);
        if (!st.isFile()) return undefined;
        // Read just past the limit: the parser reports the size error with the file's name.
        if (st.size > MAX_POLICY_BYTES) return 'x'.repeat(MAX_POLICY_BYTES + 1);
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** Loads a policy file from disk (relative `extends` against its directory, then `searchPaths`). */
export function loadPolicyFromDisk(path: string, searchPaths: readonly string[] = [process.cwd()]): LoadResult & { text?: string } {
  const reader = fsPolicyReader(searchPaths);
  const text = reader.read(path);
  const result = text === undefined ? loadPolicyFile(path, reader) : loadPolicyText(text, path, reader);
  return text === undefined ? result : { ...result, text };
}

/** A loaded, compiled policy and the exact text it came from (hashed into the audit log). */
export interface LoadedPolicy {
  policy: Policy;
  compiled: CompiledPolicy;
  text: string;
  path: string;
}

export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
  constructor(
    message: string,
    readonly diagnostics: PolicyDiagnostic[],
  ) {
    super(message);
  }
}

/**
 * Loads and compiles a policy for enforcement. Stricter than `check-policy`, as the original's
 * runtime is: every capability pattern must parse. Throws `PolicyLoadError` with diagnostics.
 */
export function loadPolicyForRuntime(path: string): LoadedPolicy {
  const abs = resolve(path);
  const r = loadPolicyFromDisk(abs);
  if (!r.ok || r.text === undefined) {
    const first = r.diagnostics.find((d) => d.severity === 'error');
    throw new PolicyLoadError(first ? describe(first) : `cannot load policy \`${path}\``, r.diagnostics);
  }
  for (const rule of r.policy.rules) {
    const p = parseCapability(rule.capability);
    if (!p.ok) {
      const d: PolicyDiagnostic = {
        severity: 'error',
        code: 'bad-capability',
        message: `rule \`${rule.origin.section}[${rule.origin.index}]\` has an invalid capability \`${rule.capability}\``,
        ...(rule.origin.location ? { location: rule.origin.location } : {}),
        hint: 'capabilities use letters, digits, `_`, `-`, `.` and `*` only',
        legacyMessage: p.error,
      };
      throw new PolicyLoadError(describe(d), [d]);
    }
  }
  return { policy: r.policy, compiled: compilePolicy(r.policy), text: r.text, path: abs };
}

function describe(d: PolicyDiagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : '';
  return `${where}${d.message}`;
}
