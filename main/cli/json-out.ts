/** JSON for CLI output: big integers as numbers where exact, else strings; never throws on them. */
export function jsonOut(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v), indent);
}

/** Python's `str()` of a bool or None, as the original prints them in text output. */
export function pyText(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}
