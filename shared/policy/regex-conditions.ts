import { pyStr } from '../py/repr.js';
import { translatePythonRegex } from '../py/regex.js';

const cache = new Map<string, RegExp>();

/** Compiles `match_regex` patterns (Python `re` syntax) to RegExps, failing on the first bad one. */
export function compileConditionRegexes(patterns: readonly unknown[]): { ok: true; value: RegExp[] } | { ok: false; error: { pattern: string; message: string } } {
  const out: RegExp[] = [];
  for (const p of patterns) {
    const src = pyStr(p);
    let re = cache.get(src);
    if (!re) {
      const t = translatePythonRegex(src);
      if (!t.ok) return { ok: false, error: { pattern: src, message: t.error.message } };
      re = t.value;
      if (cache.size < 10_000) cache.set(src, re);
    }
    out.push(re);
  }
  return { ok: true, value: out };
}
