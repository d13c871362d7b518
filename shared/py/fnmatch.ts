const cache = new Map<string, RegExp>();

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Python's `fnmatch.translate`: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[` is literal. */
function translate(pat: string): string {
  let out = '';
  let i = 0;
  const n = pat.length;
  while (i < n) {
    const c = pat[i++] as string;
    if (c === '*') {
      if (!out.endsWith('[\\s\\S]*')) out += '[\\s\\S]*';
    } else if (c === '?') out += '[\\s\\S]';
    else if (c === '[') {
      let j = i;
      if (j < n && pat[j] === '!') j++;
      if (j < n && pat[j] === ']') j++;
      while (j < n && pat[j] !== ']') j++;
      if (j >= n) out += '\\[';
      else {
        let stuff = pat.slice(i, j);
        i = j + 1;
        const negate = stuff.startsWith('!');
        if (negate) stuff = stuff.slice(1);
        // Inside the set only the backslash and the closing bracket need escaping; a leading `^` is literal.
        let body = stuff.replace(/\\/g, '\\\\').replace(/]/g, '\\]');
        if (!negate && body.startsWith('^')) body = `\\${body}`;
        if (body === '' && !negate) out += '(?!)';
        else if (body === '' && negate) out += '[\\s\\S]';
        else out += `[${negate ? '^' : ''}${body}]`;
      }
    } else out += escapeRe(c);
  }
  return `^${out}$`;
}

/** Python's `fnmatch.fnmatchcase`: case-sensitive glob over the whole string. */
export function fnmatchcase(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(translate(pattern), 'su');
    } catch {
      // A set JavaScript rejects (an out-of-order range): match the pattern as literal text.
      re = new RegExp(`^${escapeRe(pattern)}$`, 'su');
    }
    if (cache.size > 5000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(name);
}
