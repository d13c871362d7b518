import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { SourceLocation } from '../result.js';
import type { PolicyDiagnostic } from './diagnostics.js';

/** Policies larger than this are refused before parsing: no legitimate policy is near it. */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;

/** A parsed YAML document that can point at the source of any value by its path. */
export interface ParsedYaml {
  file: string;
  value: unknown;
  /** Where the value at `path` starts; with `key`, where its mapping key starts. */
  locate: (path: readonly (string | number)[], opts?: { key?: boolean }) => SourceLocation;
}

/**
 * Parses policy YAML with PyYAML's YAML 1.1 rules (so `yes`/`on` are booleans, as the original
 * reads them), keeping source positions. Never throws.
 */
export function parseYaml(text: string, file: string): { ok: true; value: ParsedYaml } | { ok: false; error: PolicyDiagnostic } {
  if (text.length > MAX_POLICY_BYTES) {
    return {
      ok: false,
      error: {
        severity: 'error',
        code: 'too-large',
        message: `policy file is ${text.length} bytes, over the ${MAX_POLICY_BYTES}-byte limit`,
        location: { file, line: 1, column: 1 },
        legacyMessage: `Policy file is not valid YAML: ${file}`,
      },
    };
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false, uniqueKeys: true, strict: false });
  } catch (e) {
    return { ok: false, error: yamlError(file, e instanceof Error ? e.message : String(e), { line: 1, col: 1 }) };
  }
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    return { ok: false, error: yamlError(file, first.message.split('\n')[0] ?? first.message, pos) };
  }
  let value: unknown;
  try {
    // Aliases are expanded with a cap, so a "billion laughs" document fails instead of hanging.
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return { ok: false, error: yamlError(file, e instanceof Error ? e.message : String(e), { line: 1, col: 1 }) };
  }
  const at = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const locate: ParsedYaml['locate'] = (path, opts = {}) => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    let last: unknown = node;
    for (const seg of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else break;
      if (node) last = node;
    }
    const target = (opts.key && keyNode ? keyNode : node ?? last) as Node | null | undefined;
    const range = target && 'range' in target ? target.range : undefined;
    return range ? at(range[0]) : { file, line: 1, column: 1 };
  };
  return { ok: true, value: { file, value, locate } };
}

function yamlError(file: string, message: string, pos: { line: number; col: number }): PolicyDiagnostic {
  return {
    severity: 'error',
    code: 'yaml-syntax',
    message: `invalid yaml: ${message.replace(/ at line \d+, column \d+.*$/s, '').trim().replace(/^./, (c) => c.toLowerCase())}`,
    location: { file, line: pos.line, column: pos.col },
    legacyMessage: `Policy file is not valid YAML: ${file}`,
  };
}
