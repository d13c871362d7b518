import { formatPyFloat } from './repr.js';
import { isPyFloatBox, pyFloat } from './values.js';

export interface JsonParseError {
  message: string;
  line: number;
  column: number;
  offset: number;
}

type ParseResult = { ok: true; value: unknown } | { ok: false; error: JsonParseError };

/** Texts that JSON.parse reads exactly as Python does: no float-looking or huge numbers, no NaN/Infinity. */
const NEEDS_PYTHON_VIEW = /\d[.eE]|\d{16}|NaN|Infinity/;

/**
 * Strict JSON (RFC 8259) read with Python's eyes: a number written with a fraction or exponent
 * whose value is integral stays a float (boxed), an integer beyond 2^53 stays exact (bigint), and
 * Python's `NaN`/`Infinity` extensions are accepted. Errors carry line and column. Never throws.
 */
export function parsePyJson(text: string, opts: { maxDepth?: number } = {}): ParseResult {
  const maxDepth = opts.maxDepth ?? 256;
  if (!NEEDS_PYTHON_VIEW.test(text) && maxDepth >= 256) {
    try {
      const v = JSON.parse(text) as unknown;
      if (depthOf(v) <= maxDepth) return { ok: true, value: v };
    } catch {
      // Fall through to the full parser for a located error.
    }
  }
  return new Parser(text, maxDepth).parseDocument();
}

function depthOf(v: unknown, d = 0): number {
  if (d > 256) return d;
  if (Array.isArray(v)) return v.reduce<number>((m, x) => Math.max(m, depthOf(x, d + 1)), d + 1);
  if (v && typeof v === 'object') return Object.values(v).reduce<number>((m, x) => Math.max(m, depthOf(x, d + 1)), d + 1);
  return d;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WS = /[ \t\n\r]*/y;

class ParseFailure extends Error {}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): ParseResult {
    try {
      this.ws();
      const value = this.value();
      this.ws();
      if (this.pos < this.text.length) this.fail('extra data after the json value');
      return { ok: true, value };
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      const before = this.text.slice(0, this.pos);
      const line = (before.match(/\n/g)?.length ?? 0) + 1;
      const column = this.pos - before.lastIndexOf('\n');
      return { ok: false, error: { message: e.message, line, column, offset: this.pos } };
    }
  }

  private fail(message: string): never {
    throw new ParseFailure(message);
  }

  private ws(): void {
    WS.lastIndex = this.pos;
    WS.exec(this.text);
    this.pos = WS.lastIndex;
  }

  private value(): unknown {
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case 'N':
        return this.literal('NaN', pyFloat(NaN));
      case 'I':
        return this.literal('Infinity', pyFloat(Infinity));
      case undefined:
        return this.fail('unexpected end of input, expecting a value');
      default:
        if (c === '-' && this.text.startsWith('-Infinity', this.pos)) return this.literal('-Infinity', pyFloat(-Infinity));
        return this.number();
    }
  }

  private literal(word: string, value: unknown): unknown {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected character \`${this.text[this.pos]}\`, expecting a value`);
    this.pos += word.length;
    return value;
  }

  private number(): unknown {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail(`unexpected character \`${this.text[this.pos]}\`, expecting a value`);
    const lexeme = m[0];
    this.pos += lexeme.length;
    if (m[1] !== undefined || m[2] !== undefined) {
      const n = Number(lexeme);
      return Number.isInteger(n) || !Number.isFinite(n) ? pyFloat(n) : n;
    }
    const n = Number(lexeme);
    return Number.isSafeInteger(n) ? n : BigInt(lexeme);
  }

  private string(): string {
    STRING.lastIndex = this.pos;
    const m = STRING.exec(this.text);
    if (!m) {
      // Find where the string goes wrong, for the error position.
      let i = this.pos + 1;
      while (i < this.text.length) {
        const ch = this.text.charCodeAt(i);
        if (ch === 0x22) break;
        if (ch < 0x20) {
          this.pos = i;
          this.fail('invalid control character in string');
        }
        if (ch === 0x5c) i++;
        i++;
      }
      this.pos = Math.min(i, this.text.length);
      this.fail(i >= this.text.length ? 'unterminated string' : 'invalid escape in string');
    }
    this.pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
  }

  private array(): unknown[] {
    this.enter();
    this.pos++;
    const out: unknown[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') break;
      if (c !== ',') {
        this.pos--;
        this.fail("expecting `,` or `]`");
      }
    }
    this.depth--;
    return out;
  }

  private object(): Record<string, unknown> {
    this.enter();
    this.pos++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('expecting a property name in double quotes');
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail("expecting `:` after a property name");
      this.pos++;
      this.ws();
      const v = this.value();
      // A `__proto__` key is data, never the prototype.
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') break;
      if (c !== ',') {
        this.pos--;
        this.fail("expecting `,` or `}`");
      }
    }
    this.depth--;
    return out;
  }
}

export interface PyJsonDumpsOptions {
  sortKeys?: boolean;
  separators?: [string, string];
  ensureAscii?: boolean;
  indent?: number;
}

function dumpString(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || (ensureAscii && c > 0x7e)) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** Python string order: by code point (JavaScript's default sort compares UTF-16 units). */
function codePointCompare(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = (x.value.codePointAt(0) as number) - (y.value.codePointAt(0) as number);
    if (d !== 0) return d;
  }
}

function dumpFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return formatPyFloat(n);
}

/** Python's `json.dumps` byte for byte: its separators, float formatting and `ensure_ascii` escapes. */
export function pyJsonDumps(value: unknown, opts: PyJsonDumpsOptions = {}): string {
  const ensureAscii = opts.ensureAscii ?? true;
  const indent = opts.indent;
  const [itemSep, keySep] = opts.separators ?? (indent !== undefined ? [',', ': '] : [', ', ': ']);
  const dump = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) < 1e21 ? String(v === 0 ? 0 : v) : BigInt(v).toString()) : dumpFloat(v);
    if (isPyFloatBox(v)) return dumpFloat(v.valueOf());
    if (typeof v === 'string') return dumpString(v, ensureAscii);
    const nl = indent !== undefined ? `\n${' '.repeat(indent * (level + 1))}` : '';
    const close = indent !== undefined ? `\n${' '.repeat(indent * level)}` : '';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${nl}${v.map((x) => dump(x, level + 1)).join(itemSep + nl)}${close}]`;
    }
    if (typeof v === 'object') {
      let keys = Object.keys(v);
      if (keys.length === 0) return '{}';
      if (opts.sortKeys) keys = keys.sort(codePointCompare);
      return `{${nl}${keys.map((k) => `${dumpString(k, ensureAscii)}${keySep}${dump((v as Record<string, unknown>)[k], level + 1)}`).join(itemSep + nl)}${close}}`;
    }
    return dumpString(String(v), ensureAscii);
  };
  return dump(value, 0);
}
