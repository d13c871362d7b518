import { dirnameOf, joinPath } from '../path.js';
import type { PolicyDiagnostic } from './diagnostics.js';
import { parseYaml } from './parse.js';
import type { Policy } from './types.js';
import { validatePolicyFile, type PolicyFileModel } from './validate.js';

/** File access injected by the caller, so loading stays pure: returns undefined when absent. */
export interface PolicyReader {
  read: (path: string) => string | undefined;
  /** Directories tried, in order, for a relative `extends` after the policy's own directory. */
  searchPaths?: readonly string[];
}

export type LoadResult = { ok: true; policy: Policy; diagnostics: PolicyDiagnostic[] } | { ok: false; diagnostics: PolicyDiagnostic[] };

/** Loads a policy from text (the editor's draft, or a file already read), resolving `extends` with `reader`. */
export function loadPolicyText(text: string, file: string, reader: PolicyReader = { read: () => undefined }): LoadResult {
  return loadWith(file, reader, text);
}

/** Loads a policy file and its `extends` parents through `reader`. */
export function loadPolicyFile(file: string, reader: PolicyReader): LoadResult {
  return loadWith(file, reader, undefined);
}

function loadWith(file: string, reader: PolicyReader, text: string | undefined): LoadResult {
  const diagnostics: PolicyDiagnostic[] = [];
  const cache = new Map<string, PolicyFileModel | null>();

  const loadOne = (path: string, body: string | undefined, from?: PolicyDiagnostic['location']): PolicyFileModel | null => {
    if (cache.has(path)) return cache.get(path) ?? null;
    const source = body ?? reader.read(path);
    if (source === undefined) {
      diagnostics.push({
        severity: 'error',
        code: 'not-found',
        message: `policy file \`${path}\` not found`,
        ...(from ? { location: from } : {}),
        legacyMessage: `Policy file not found: ${path}`,
      });
      cache.set(path, null);
      return null;
    }
    const parsed = parseYaml(source, path);
    if (!parsed.ok) {
      diagnostics.push(parsed.error);
      cache.set(path, null);
      return null;
    }
    const v = validatePolicyFile(parsed.value);
    diagnostics.push(...v.diagnostics);
    cache.set(path, v.model ?? null);
    return v.model ?? null;
  };

  // Relative parents resolve against the child's directory first (the original used the process
  // CWD, which made policies break when run from elsewhere), then the search paths.
  const resolveParent = (child: string, rel: string): string => {
    const candidates = [joinPath(dirnameOf(child), rel), ...(reader.searchPaths ?? []).map((d) => joinPath(d, rel))];
    return candidates.find((c) => reader.read(c) !== undefined) ?? (candidates[0] as string);
  };

  // Merge as the original: child rules first, then the last parent's, ..., the first parent's.
  const assemble = (model: PolicyFileModel, stack: string[]): { rules: Policy['rules']; riskLevels: Policy['riskLevels']; mcp: Policy['mcp']; files: string[] } | null => {
    let rules: Policy['rules'] = [];
    const riskLevels: Policy['riskLevels'] = {};
    const mcp: Policy['mcp'] = {};
    const files = [model.file];
    for (const ext of model.extends) {
      const parentPath = resolveParent(model.file, ext.path);
      if (stack.includes(parentPath)) {
        diagnostics.push({
          severity: 'error',
          code: 'extends-cycle',
          message: `\`extends\` cycle: ${[...stack, parentPath].map((p) => `\`${p}\``).join(' -> ')}`,
          location: ext.location,
          legacyMessage: `Policy extends cycle: ${[...stack, parentPath].join(' -> ')}`,
        });
        return null;
      }
      const parent = loadOne(parentPath, undefined, ext.location);
      if (!parent) return null;
      const merged = assemble(parent, [...stack, parentPath]);
      if (!merged) return null;
      rules = [...merged.rules, ...rules];
      Object.assign(riskLevels, merged.riskLevels);
      for (const [server, tools] of Object.entries(merged.mcp)) mcp[server] = { ...mcp[server], ...tools };
      files.push(...merged.files.filter((f) => !files.includes(f)));
    }
    Object.assign(riskLevels, model.riskLevels);
    for (const [server, tools] of Object.entries(model.mcp)) mcp[server] = { ...mcp[server], ...tools };
    return { rules: [...model.rules, ...rules], riskLevels, mcp, files };
  };

  const root = loadOne(file, text);
  if (!root) return { ok: false, diagnostics };
  const merged = assemble(root, [file]);
  if (!merged || diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return {
    ok: true,
    diagnostics,
    policy: { id: root.id, file, rules: merged.rules, riskLevels: merged.riskLevels, meta: root.meta, mcp: merged.mcp, files: merged.files },
  };
}
