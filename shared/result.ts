/** A typed result for boundaries: callers branch on `ok` instead of catching. */
export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };

/** An error that crosses a boundary: a stable string code and a human message. */
export interface AppError {
  code: string;
  message: string;
  /** Where the error was found, when it comes from a file or input text. */
  location?: SourceLocation;
  /** Advice separate from the error itself, as Cedar prints it. */
  hint?: string;
}

/** A 1-based line and column in a named file. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E = AppError>(error: E): { ok: false; error: E } => ({ ok: false, error });

/** Exhaustiveness guard for switches over unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Renders a location as `file:line:col`. */
export function formatLocation(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.column}` : '';
}
