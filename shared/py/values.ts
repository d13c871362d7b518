/**
 * Python values in JavaScript. A Python float with an integral value (`100.0`) cannot be told
 * apart from an int once parsed into a JS number, yet the original renders them differently
 * (`100.0` vs `100`) in the text its conditions match. Such floats are kept as boxed `Number`
 * objects; `JSON.stringify` still prints them as plain numbers.
 */
export type PyFloatBox = Number;

/** Boxes a number as a Python float. */
export function pyFloat(n: number): PyFloatBox {
  // eslint-disable-next-line no-new-wrappers
  return new Number(n);
}

/** True for a boxed Python float. */
export function isPyFloatBox(v: unknown): v is PyFloatBox {
  return v instanceof Number;
}

/** The numeric value of a JS number, boxed float or bigint; undefined for anything else. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Number) return v.valueOf();
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}
