import type { SourceLocation } from '../result.js';

/** A problem found in a policy: errors make it unusable, warnings are advice (lint). */
export interface PolicyDiagnostic {
  severity: 'error' | 'warning';
  /** A stable code such as `unknown-condition` or `yaml-syntax`. */
  code: string;
  /** Lowercase, offending input in backticks, like Cedar's diagnostics. */
  message: string;
  location?: SourceLocation;
  /** Advice, printed apart from the error. */
  hint?: string;
  /** The original CapFence's message for the same problem, where it has one (`check-policy` prints it). */
  legacyMessage?: string;
}

/** Renders a diagnostic as `file:line:col: error: message` plus an indented hint line. */
export function formatDiagnostic(d: PolicyDiagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : '';
  const hint = d.hint ? `\n  help: ${d.hint}` : '';
  return `${where}${d.severity}: ${d.message}${hint}`;
}

/** Levenshtein distance, for "did you mean" hints on misspelled keys. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

/** The closest candidate within a small distance, for a "did you mean" hint. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(input.toLowerCase(), c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}
