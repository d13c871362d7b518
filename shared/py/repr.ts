import { isPyFloatBox } from './values.js';

/** Python's `repr(float)`: shortest round-trip digits, exponent outside 1e-4 ≤ |x| < 1e16. */
export function formatPyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  const [mant, expText] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.slice(1);
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

/** Characters Python's `str.isprintable()` rejects (repr escapes them), except the space. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** Python's `repr(str)`: single quotes unless the text has `'` and no `"`, with Python's escapes. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) out += escapeChar(ch);
    else out += ch;
  }
  return out + quote;
}

const SIMPLE_STRING = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

/** Python's `repr()` of a JSON-like value: dicts, lists, strings, ints, floats, bools, None. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'bigint':
      return v.toString();
    case 'number':
      // A plain JS number that is integral was an int in the source (floats are boxed).
      return Number.isInteger(v) ? (Math.abs(v) < 1e21 ? String(v === 0 ? 0 : v) : BigInt(v).toString()) : formatPyFloat(v);
    case 'string':
      return SIMPLE_STRING.test(v) ? `'${v}'` : pyReprString(v);
    default:
      break;
  }
  if (isPyFloatBox(v)) return formatPyFloat(v.valueOf());
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ', ' : '') + pyRepr(v[i]);
    return `${out}]`;
  }
  if (typeof v === 'object') {
    let out = '{';
    let first = true;
    for (const k in v as Record<string, unknown>) {
      if (!Object.hasOwn(v, k)) continue;
      out += `${first ? '' : ', '}${pyRepr(k)}: ${pyRepr((v as Record<string, unknown>)[k])}`;
      first = false;
    }
    return `${out}}`;
  }
  return pyReprString(String(v));
}

/** Python's `str()`: strings as they are, everything else as its repr. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** Python's `str.lower()` (full Unicode case mapping, as JavaScript's). */
export function pyLower(s: string): string {
  return s.toLowerCase();
}

/** `str(payload).lower()`: what `contains` and `match_keywords` search, keys and quotes included. */
export function payloadText(payload: Record<string, unknown>): string {
  return pyRepr(payload).toLowerCase();
}

/** `" ".join(str(v) for v in payload.values())`: what `match_regex` searches. */
export function valuesText(payload: Record<string, unknown>): string {
  let out = '';
  let first = true;
  for (const k in payload) {
    if (!Object.hasOwn(payload, k)) continue;
    out += (first ? '' : ' ') + pyStr(payload[k]);
    first = false;
  }
  return out;
}
