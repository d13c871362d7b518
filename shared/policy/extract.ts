import { pyFloatParse } from '../py/float.js';
import { pyStr } from '../py/repr.js';

const AMOUNT_KEYS = ['amount', 'total', 'value', 'sum', 'quantity', 'price', 'cost'];
const PATH_KEYS = ['path', 'file', 'filepath', 'filename', 'target', 'directory', 'root'];

/** The first of `amount, total, value, sum, quantity, price, cost` that Python's `float()` accepts. */
export function extractAmount(payload: Record<string, unknown>): number | undefined {
  for (const k of AMOUNT_KEYS) {
    if (!Object.hasOwn(payload, k)) continue;
    const v = payload[k];
    if (v === null || v === undefined) continue;
    const n = pyFloatParse(v);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** The first non-None of `path, file, filepath, filename, target, directory, root`, as `str()`. */
export function extractPath(payload: Record<string, unknown>): string | undefined {
  for (const k of PATH_KEYS) {
    if (!Object.hasOwn(payload, k)) continue;
    const v = payload[k];
    if (v !== null && v !== undefined) return pyStr(v);
  }
  return undefined;
}
