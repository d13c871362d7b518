/**
 * Python `re` patterns translated to JavaScript RegExps with the same meaning, or rejected with a
 * clear message: a policy's regex is never silently misread.
 *
 * Differences handled: Python's `\w`, `\d`, `\s`, `\b` are Unicode-aware on text; `.` excludes
 * only `\n`; `$` also matches before a final newline; `^`/`$` in multiline mode break only on
 * `\n`; `\A`, `\Z`, `(?P<name>...)`, `(?P=name)`, `(?#...)`, `{,n}`, a literal `{`, and leading
 * global flags `(?aimsx)`. Rejected: scoped flags `(?i:...)`, conditionals, possessive
 * quantifiers and atomic groups, `\N{...}`, and anything else without an exact equivalent.
 */
export type RegexTranslation = { ok: true; value: RegExp } | { ok: false; error: { message: string; index?: number } };

const WORD = '\\p{L}\\p{N}_';
const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

class Reject extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  a: boolean;
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** Translates a Python regular expression; never throws. */
export function translatePythonRegex(pattern: string): RegexTranslation {
  try {
    const flags: Flags = { i: false, m: false, s: false, x: false, a: false };
    let pos = 0;
    // Global inline flags must lead the pattern (Python 3.11 rejects them elsewhere).
    for (;;) {
      const m = /^\(\?([aiLmsux]+)\)/.exec(pattern.slice(pos));
      if (!m) break;
      for (const f of m[1] as string) {
        if (f === 'L') throw new Reject('the `L` (locale) flag has no javascript equivalent', pos);
        if (f === 'u') continue;
        flags[f as keyof Flags] = true;
      }
      pos += m[0].length;
    }
    const body = translateBody(pattern, pos, flags);
    return { ok: true, value: new RegExp(body, flags.i ? 'iu' : 'u') };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, error: { message: e.message, index: e.index } };
    return { ok: false, error: { message: e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e) } };
  }
}

function translateBody(p: string, start: number, flags: Flags): string {
  let out = '';
  let i = start;
  const n = p.length;
  const word = flags.a ? '\\w' : `[${WORD}]`;
  const notWord = flags.a ? '\\W' : `[^${WORD}]`;
  while (i < n) {
    const c = p[i] as string;
    if (flags.x && /\s/.test(c)) {
      i++;
      continue;
    }
    if (flags.x && c === '#') {
      while (i < n && p[i] !== '\n') i++;
      continue;
    }
    if (c === '\\') {
      const [text, next] = escapeOutside(p, i, flags, word, notWord);
      out += text;
      i = next;
      continue;
    }
    if (c === '[') {
      const [text, next] = charClass(p, i, flags);
      out += text;
      i = next;
      continue;
    }
    if (c === '(') {
      if (p.startsWith('(?#', i)) {
        const end = p.indexOf(')', i);
        if (end < 0) throw new Reject('unterminated comment `(?#`', i);
        i = end + 1;
        continue;
      }
      if (p.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (p.startsWith('(?P=', i)) {
        const end = p.indexOf(')', i);
        if (end < 0) throw new Reject('unterminated `(?P=name)`', i);
        out += `\\k<${p.slice(i + 4, end)}>`;
        i = end + 1;
        continue;
      }
      if (p.startsWith('(?', i)) {
        const next = p[i + 2];
        if (next === ':' || next === '=' || next === '!') {
          out += p.slice(i, i + 3);
          i += 3;
          continue;
        }
        if (p.startsWith('(?<=', i) || p.startsWith('(?<!', i)) {
          out += p.slice(i, i + 4);
          i += 4;
          continue;
        }
        if (next === '>') throw new Reject('atomic groups `(?>...)` have no javascript equivalent', i);
        if (next === '(') throw new Reject('conditional groups `(?(...)...)` have no javascript equivalent', i);
        if (next !== undefined && /[aiLmsux-]/.test(next)) throw new Reject('inline flags must be at the start of the pattern; scoped flags `(?i:...)` are not supported', i);
        throw new Reject(`unknown group syntax \`${p.slice(i, i + 3)}\``, i);
      }
      out += '(';
      i++;
      continue;
    }
    if (c === '.') {
      out += flags.s ? '[\\s\\S]' : '[^\\n]';
      i++;
      continue;
    }
    if (c === '^') {
      // The JavaScript regex never gets the `m` flag: `^`/`$` alone mean the whole input's ends.
      out += flags.m ? '(?:^|(?<=\\n))' : '^';
      i++;
      continue;
    }
    if (c === '$') {
      out += flags.m ? '(?=\\n|$)' : '(?=\\n?$)';
      i++;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(p.slice(i));
      if (m && (m[1] !== '' || m[2] !== undefined)) {
        out += `{${m[1] || '0'}${m[2] ?? ''}${m[3] ?? ''}}`;
        i += m[0].length;
        if (p[i] === '+') throw new Reject('possessive quantifiers have no javascript equivalent', i);
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      out += `\\${c}`;
      i++;
      continue;
    }
    if ((c === '*' || c === '+' || c === '?') && p[i + 1] === '+') throw new Reject('possessive quantifiers have no javascript equivalent', i);
    out += c;
    i++;
  }
  return out;
}

/** Escapes shared by both contexts; returns undefined for those that differ. */
function commonEscape(p: string, i: number): [string, number] | undefined {
  const e = p[i + 1];
  if (e === undefined) throw new Reject('bad escape (end of pattern)', i);
  switch (e) {
    case 'n':
    case 't':
    case 'r':
    case 'f':
    case 'v':
      return [`\\${e}`, i + 2];
    case 'a':
      return ['\\x07', i + 2];
    case 'x': {
      const m = /^[0-9a-fA-F]{2}/.exec(p.slice(i + 2));
      if (!m) throw new Reject('incomplete escape `\\x`', i);
      return [hex(parseInt(m[0], 16)), i + 4];
    }
    case 'u':
    case 'U': {
      const len = e === 'u' ? 4 : 8;
      const m = new RegExp(`^[0-9a-fA-F]{${len}}`).exec(p.slice(i + 2));
      if (!m) throw new Reject(`incomplete escape \`\\${e}\``, i);
      const cp = parseInt(m[0], 16);
      if (cp > 0x10ffff) throw new Reject('escape beyond the unicode range', i);
      return [hex(cp), i + 2 + len];
    }
    case 'N':
      throw new Reject('named unicode escapes `\\N{...}` are not supported; write the character or `\\uXXXX`', i);
    default:
      break;
  }
  if (/[0-7]/.test(e) && (e === '0' || /^[0-7]{3}/.test(p.slice(i + 1)))) {
    const m = /^[0-7]{1,3}/.exec(p.slice(i + 1)) as RegExpExecArray;
    return [hex(parseInt(m[0], 8)), i + 1 + m[0].length];
  }
  if (/[A-Za-z]/.test(e)) return undefined;
  if (/\d/.test(e)) return undefined;
  // Any other escaped punctuation is the character itself.
  return [SYNTAX.has(e) || e === '-' ? (e === '-' ? '-' : `\\${e}`) : e === ' ' ? ' ' : escapeLiteral(e), i + 2];
}

function escapeLiteral(ch: string): string {
  return SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function escapeOutside(p: string, i: number, flags: Flags, word: string, notWord: string): [string, number] {
  const common = commonEscape(p, i);
  if (common) return common;
  const e = p[i + 1] as string;
  switch (e) {
    case 'd':
      return [flags.a ? '\\d' : '\\p{Nd}', i + 2];
    case 'D':
      return [flags.a ? '\\D' : '\\P{Nd}', i + 2];
    case 'w':
      return [word, i + 2];
    case 'W':
      return [notWord, i + 2];
    case 's':
      return [flags.a ? '[ \\t\\n\\r\\f\\v]' : `[${SPACE}]`, i + 2];
    case 'S':
      return [flags.a ? '[^ \\t\\n\\r\\f\\v]' : `[^${SPACE}]`, i + 2];
    case 'b':
      return [flags.a ? '\\b' : `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`, i + 2];
    case 'B':
      return [flags.a ? '\\B' : `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`, i + 2];
    case 'A':
      return ['^', i + 2];
    case 'Z':
      return ['$', i + 2];
    default:
      break;
  }
  if (/[1-9]/.test(e)) {
    const m = /^\d{1,2}/.exec(p.slice(i + 1)) as RegExpExecArray;
    return [`\\${m[0]}`, i + 1 + m[0].length];
  }
  throw new Reject(`bad escape \`\\${e}\``, i);
}

/** Translates a `[...]` set (Python allows `]` first, and class escapes inside). */
function charClass(p: string, start: number, flags: Flags): [string, number] {
  let i = start + 1;
  let out = '[';
  if (p[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  for (;;) {
    if (i >= p.length) throw new Reject('unterminated character set', start);
    const c = p[i] as string;
    if (c === ']' && !first) {
      i++;
      break;
    }
    first = false;
    if (c === '\\') {
      const common = commonEscape(p, i);
      if (common) {
        out += common[0] === '-' ? '\\-' : common[0];
        i = common[1];
        continue;
      }
      const e = p[i + 1] as string;
      if (e === 'd') out += flags.a ? '\\d' : '\\p{Nd}';
      else if (e === 'w') out += flags.a ? '\\w' : WORD;
      else if (e === 's') out += flags.a ? ' \\t\\n\\r\\f\\v' : SPACE;
      else if (e === 'b') out += '\\x08';
      else if (e === 'D' && flags.a) out += '\\D';
      else if (e === 'W' && flags.a) out += '\\W';
      else if (e === 'S' && flags.a) out += '\\S';
      else if (e === 'D' || e === 'W' || e === 'S') throw new Reject(`negated class \`\\${e}\` inside a set is not supported; use a negated set`, i);
      else throw new Reject(`bad escape \`\\${e}\` in a set`, i);
      i += 2;
      continue;
    }
    if (c === '[' || c === ']') out += `\\${c}`;
    else out += c;
    i++;
  }
  return [`${out}]`, i];
}
