/** One line of a diff: kept, removed from the old text, or added in the new one. */
export interface DiffLine {
  kind: 'same' | 'del' | 'add';
  text: string;
  oldNo: number | null;
  newNo: number | null;
}

/** Above this many cells the LCS table would be too large; the diff falls back to whole replacement. */
const MAX_CELLS = 16_000_000;

/** A line diff by longest common subsequence (policies are small; exact and simple beats clever). */
export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  // Common head and tail cost nothing and keep the table small for typical edits.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: 'same', text: a[i]!, oldNo: i + 1, newNo: i + 1 });
  const n = am.length;
  const m = bm.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    am.forEach((t, i) => out.push({ kind: 'del', text: t, oldNo: head + i + 1, newNo: null }));
    bm.forEach((t, j) => out.push({ kind: 'add', text: t, oldNo: null, newNo: head + j + 1 }));
  } else {
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        out.push({ kind: 'same', text: am[i]!, oldNo: head + i + 1, newNo: head + j + 1 });
        i++;
        j++;
      } else if (j < m && (i >= n || lcs[i * w + j + 1]! > lcs[(i + 1) * w + j]!)) {
        // On a tie the removal is shown first, as `diff` and git do.
        out.push({ kind: 'add', text: bm[j]!, oldNo: null, newNo: head + j + 1 });
        j++;
      } else {
        out.push({ kind: 'del', text: am[i]!, oldNo: head + i + 1, newNo: null });
        i++;
      }
    }
  }
  for (let k = tail; k > 0; k--) out.push({ kind: 'same', text: a[a.length - k]!, oldNo: a.length - k + 1, newNo: b.length - k + 1 });
  return out;
}
