import { checkGateOptions, type GateOptions } from '../gate.js';

/**
 * Options of a framework adapter: those of `gate()`, with the capability optional. Without one,
 * a tool exercises `<tool name>.execute`, as the original's framework adapters do.
 */
export type AdapterOptions<I = Record<string, unknown>> = Omit<GateOptions<I>, 'tool'>;

/** The gate options for one named tool: the default capability filled in, then checked. */
export function optionsFor<I>(name: string, opts: AdapterOptions<I>, where: string): GateOptions<I> {
  if (typeof name !== 'string' || name === '') throw new TypeError(`${where}: the tool has no name`);
  const full: GateOptions<I> = { ...opts, tool: name };
  if (full.capability === undefined && full.toCapability === undefined) full.capability = `${name}.execute`;
  checkGateOptions(full as GateOptions<never>, where);
  return full;
}

/** Replaces a method on the tool object itself, so that no ungated copy of the tool is left to call. */
export function replaceMethod(target: object, key: string, value: unknown, where: string): void {
  if (!Reflect.set(target, key, value) || (target as Record<string, unknown>)[key] !== value) {
    throw new TypeError(`${where}: cannot replace \`${key}\` on the tool (frozen or read-only)`);
  }
}
