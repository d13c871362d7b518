import { authorize, isGated, markGated, type GateOptions } from '../gate.js';
import { optionsFor, replaceMethod, type AdapterOptions } from './common.js';

/** What this adapter needs of a Vercel AI SDK `tool({...})`: its `execute`. */
export interface VercelAiToolLike {
  execute?: ((input: never, options: never) => unknown) | undefined;
}

interface ExecuteOptions {
  abortSignal?: AbortSignal;
}

/**
 * Gates a Vercel AI SDK tool in place: its `execute` is judged before it runs (deny throws
 * `AgentActionBlocked`, which the SDK reports to the model as a tool error). `name` is the key
 * the tool has in your `tools` set; the capability defaults to `<name>.execute`.
 */
export function gateVercelTool<T extends VercelAiToolLike>(tool: T, opts: AdapterOptions<Parameters<NonNullable<T['execute']>>[0]> & { name: string }): T {
  const where = `gateVercelTool(${opts?.name ?? '?'})`;
  if (typeof tool !== 'object' || tool === null) throw new TypeError(`${where}: not a tool object`);
  if (isGated(tool)) return tool;
  const execute = tool.execute as ((input: unknown, options?: ExecuteOptions) => unknown) | undefined;
  // A tool without `execute` runs on the client or at the provider: nothing here could stop it.
  if (typeof execute !== 'function') throw new TypeError(`${where}: the tool has no \`execute\`, so it cannot be gated`);
  const { name, ...rest } = opts;
  const gateOpts = optionsFor(name, rest as AdapterOptions<unknown>, where) as GateOptions<unknown>;
  const gated = async (input: unknown, options?: ExecuteOptions): Promise<unknown> => {
    const verdict = await authorize(gateOpts, input, { signal: options?.abortSignal });
    return execute.call(tool, (verdict.editedArguments ?? input) as never, options);
  };
  replaceMethod(tool, 'execute', markGated(gated), where);
  return markGated(tool);
}

/** Gates every tool of a `tools` set in place (each under its key's name) and returns the set. */
export function gateVercelTools<S extends Record<string, VercelAiToolLike>>(tools: S, opts: AdapterOptions<unknown>): S {
  for (const [name, tool] of Object.entries(tools)) gateVercelTool(tool, { ...opts, name });
  return tools;
}
