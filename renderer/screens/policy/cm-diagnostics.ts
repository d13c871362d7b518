import type { Diagnostic } from '@codemirror/lint';
import type { Text } from '@codemirror/state';

/** A diagnostic as the engine or `policy:check` reports it (1-based line and column). */
export interface LocatedDiagnostic {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  hint?: string | undefined;
  location?: { file: string; line: number; column: number } | undefined;
}

/**
 * Maps engine diagnostics onto editor positions: the span starts at the reported line and column
 * and covers the token there (a key, a value), so the squiggle sits under what is wrong.
 * Diagnostics for other files (an `extends` parent) or without a location go on line 1.
 */
export function toEditorDiagnostics(doc: Text, diags: readonly LocatedDiagnostic[], file: string): Diagnostic[] {
  return diags.map((d) => {
    const own = d.location && d.location.file === file;
    const lineNo = own ? Math.min(Math.max(1, d.location!.line), doc.lines) : 1;
    const line = doc.line(lineNo);
    const col = own ? Math.max(1, d.location!.column) : 1;
    const from = Math.min(line.from + col - 1, line.to);
    const rest = doc.sliceString(from, line.to);
    const token = /^[^\s,:\]}]+/.exec(rest)?.[0].length ?? 0;
    const to = token > 0 ? from + token : Math.max(from, line.to);
    const where = !own && d.location ? ` (in \`${d.location.file}\`)` : '';
    return { from, to, severity: d.severity, source: d.code, message: `${d.message}${where}${d.hint ? `\nhelp: ${d.hint}` : ''}` };
  });
}
