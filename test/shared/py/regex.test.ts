import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translatePythonRegex } from '../../../shared/py/regex.js';
import { fnmatchcase } from '../../../shared/py/fnmatch.js';
import { parsePyJson, pyJsonDumps } from '../../../shared/py/json.js';
import { pyFloatParse } from '../../../shared/py/float.js';
import { formatPyFloat } from '../../../shared/py/repr.js';
import { isPyFloatBox } from '../../../shared/py/values.js';

const re = (p: string) => {
  const r = translatePythonRegex(p);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const rejected = (p: string) => {
  const r = translatePythonRegex(p);
  return r.ok ? undefined : r.error.message;
};

describe('python regex translation', () => {
  it('leading inline flags become javascript flags', () => {
    expect(re('(?i)^DROP').test('drop table')).toBe(true);
    expect(re('(?s)a.b').test('a\nb')).toBe(true);
    expect(re('a.b').test('a\nb')).toBe(false);
    expect(re('(?m)^b$').test('a\nb\nc')).toBe(true);
    expect(re('(?x) a b  # comment\n c').test('abc')).toBe(true);
  });
  it('python `$` also matches before a final newline, and only there', () => {
    expect(re('status$').test('git status\n')).toBe(true);
    expect(re('status$').test('git status\nx')).toBe(false);
    expect(re('status\\Z').test('git status\n')).toBe(false);
    // Python multiline breaks lines only on \n, not \r or \u2028.
    expect(re('(?m)^b').test('a\rb')).toBe(false);
  });
  it('`.` excludes only \\n, as in python', () => {
    expect(re('a.b').test('a\rb')).toBe(true);
  });
  it('\\w, \\d and \\b are unicode-aware as in python', () => {
    expect(re('^\\w+$').test('café')).toBe(true);
    expect(re('^\\d+$').test('١٢٣')).toBe(true);
    expect(re('\\bcafé\\b').test('un café noir')).toBe(true);
    expect(re('(?a)^\\w+$').test('café')).toBe(false);
  });
  it('named groups and backreferences translate', () => {
    expect(re('(?P<q>["\']).*(?P=q)').test('"x"')).toBe(true);
    expect(re('(a)\\1').test('aa')).toBe(true);
  });
  it('literal braces and `{,n}` are python-compatible', () => {
    expect(re('a{,2}b').test('aab')).toBe(true);
    expect(re('{"k"').test('{"k": 1}')).toBe(true);
    expect(re('x}').test('x}')).toBe(true);
  });
  it('the shell pack regexes behave as in python', () => {
    const r = re('^cat\\s+(docs/[^;&|`$]+|README.md|CHANGELOG.md)$');
    expect(r.test('cat docs/a.md')).toBe(true);
    expect(r.test('cat docs/a.md; rm x')).toBe(false);
  });
  it('rejects what it cannot translate exactly, with a message', () => {
    expect(rejected('a(?i)b')).toMatch(/inline flags/);
    expect(rejected('(?i:a)b')).toMatch(/scoped flags/);
    expect(rejected('(?(1)a|b)')).toMatch(/conditional/);
    expect(rejected('a++')).toMatch(/possessive/);
    expect(rejected('(?>a)')).toMatch(/atomic/);
    expect(rejected('\\q')).toMatch(/bad escape/);
    expect(rejected('[a')).toMatch(/unterminated/);
    expect(rejected('\\N{DASH}')).toMatch(/named unicode/);
    expect(rejected('(?L)a')).toMatch(/locale/);
  });
  it('never throws on random patterns', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (p) => typeof translatePythonRegex(p).ok === 'boolean'), { numRuns: 2000 });
  });
});

describe('fnmatchcase', () => {
  it('globs as python does', () => {
    expect(fnmatchcase('admin_delete', 'admin_*')).toBe(true);
    expect(fnmatchcase('Admin', 'admin')).toBe(false);
    expect(fnmatchcase('prod-1', 'prod-?')).toBe(true);
    expect(fnmatchcase('b', '[!a]')).toBe(true);
    expect(fnmatchcase('[x', '[x')).toBe(true);
    expect(fnmatchcase(']', '[]]')).toBe(true);
    expect(fnmatchcase('a\nb', 'a*b')).toBe(true);
    expect(fnmatchcase('a.b', 'a?b')).toBe(true);
  });
});

describe('python float() and float repr', () => {
  it('parses as python float()', () => {
    expect(pyFloatParse(' 1_000.5 ')).toBe(1000.5);
    expect(pyFloatParse('1e3')).toBe(1000);
    expect(pyFloatParse('-inf')).toBe(-Infinity);
    expect(Number.isNaN(pyFloatParse('NaN'))).toBe(true);
    expect(pyFloatParse('١٢')).toBe(12);
    expect(pyFloatParse('1,000')).toBeUndefined();
    expect(pyFloatParse('1__0')).toBeUndefined();
    expect(pyFloatParse('abc')).toBeUndefined();
    expect(pyFloatParse(true)).toBe(1);
    expect(pyFloatParse(null)).toBeUndefined();
    expect(pyFloatParse([1])).toBeUndefined();
  });
  it('formats as python repr', () => {
    expect([100, 1e16, 1e-5, 0.1, 1.5e300, -0, 123456789.125, 1e15].map(formatPyFloat)).toEqual(['100.0', '1e+16', '1e-05', '0.1', '1.5e+300', '-0.0', '123456789.125', '1000000000000000.0']);
  });
});

describe('json with python eyes', () => {
  it('keeps integral floats as floats and big ints exact', () => {
    const r = parsePyJson('{"a": 100.0, "b": 100, "c": 123456789012345678901, "d": NaN}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value as Record<string, unknown>;
    expect(isPyFloatBox(v['a'])).toBe(true);
    expect(v['b']).toBe(100);
    expect(v['c']).toBe(123456789012345678901n);
    expect(pyJsonDumps(v)).toBe('{"a": 100.0, "b": 100, "c": 123456789012345678901, "d": NaN}');
  });
  it('names line and column of an error', () => {
    const r = parsePyJson('{\n  "a": 1,\n  "b": tru\n}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.line, r.error.column]).toEqual([3, 8]);
  });
  it('refuses nesting beyond the limit instead of overflowing the stack', () => {
    const r = parsePyJson('['.repeat(100_000) + ']'.repeat(100_000));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/nesting deeper than 256/);
  });
  it('a __proto__ key is data', () => {
    const r = parsePyJson('{"__proto__": {"polluted": 1}}');
    expect(r.ok && Object.hasOwn(r.value as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
  it('never throws and agrees with JSON.parse on JSON values', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => typeof parsePyJson(s).ok === 'boolean'), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const r = parsePyJson(text);
        expect(r.ok).toBe(true);
        if (r.ok) expect(JSON.stringify(r.value, (_k, x) => (typeof x === 'bigint' ? Number(x) : x))).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });
});
