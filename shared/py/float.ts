import { isPyFloatBox } from './values.js';

const NUMBER_TEXT = /^[+-]?(?:(?:\d+(?:_\d+)*)(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;
/** Python's `str.strip()` whitespace. */
const PY_SPACE = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;
const NON_ASCII_DIGIT = /\p{Nd}/gu;
const IS_DIGIT = /^\p{Nd}$/u;

/** Maps any Unicode decimal digit to its ASCII digit (digit blocks are runs of ten). */
function asciiDigit(ch: string): string {
  let cp = ch.codePointAt(0) as number;
  let start = cp;
  while (start > 0 && IS_DIGIT.test(String.fromCodePoint(start - 1)) && cp - start < 9) start--;
  // Adjacent digit runs (e.g. mathematical digits) are aligned on multiples of ten from their start.
  cp = (cp - start) % 10;
  return String(cp);
}

/** Python's `float(v)`; `undefined` where Python raises (lists, dicts, None, `'abc'`, `'1,000'`). */
export function pyFloatParse(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (isPyFloatBox(v)) return v.valueOf();
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof v !== 'string') return undefined;
  let s = v.replace(PY_SPACE, '');
  if (/[^\x00-\x7f]/.test(s)) s = s.replace(NON_ASCII_DIGIT, asciiDigit);
  if (SPECIAL.test(s)) {
    const neg = s.startsWith('-');
    return /nan/i.test(s) ? NaN : neg ? -Infinity : Infinity;
  }
  if (!NUMBER_TEXT.test(s)) return undefined;
  return Number(s.replace(/_/g, ''));
}
