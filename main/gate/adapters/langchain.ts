import { authorize, isGated, markGated, type GateOptions } from '../gate.js';
import { optionsFor, replaceMethod, type AdapterOptions } from './common.js';

/**
 * What this adapter needs of a LangChain.js tool: its name, and at run time a `func` (`tool()`,
 * `DynamicStructuredTool`) or a `_call` (a `StructuredTool` subclass; protected, so not typed here).
 */
export interface LangChainToolLike {
  name: string;
}

type Body = (input: unknown, runManager?: unknown, config?: { signal?: AbortSignal }) => unknown;

/**
 * Gates a LangChain.js tool in place: the function behind `invoke()` is judged before it runs.
 * The capability defaults to `<tool.name>.execute`. `.invoke()` rejects with `AgentActionBlocked`
 * on a deny.
 */
export function gateLangChainTool<T extends LangChainToolLike>(tool: T, opts: AdapterOptions<unknown>): T {
  const where = `gateLangChainTool(${typeof tool?.name === 'string' ? tool.name : '?'})`;
  if (typeof tool !== 'object' || tool === null) throw new TypeError(`${where}: not a tool object`);
  if (isGated(tool)) return tool;
  const gateOpts = optionsFor(tool.name, opts, where) as GateOptions<unknown>;
  // `tool()` and the Dynamic* classes call `this.func`; a subclass implements `_call`. Whichever
  // the tool has is replaced on the instance, so `invoke`, `call` and agents all go through it.
  const methods = tool as unknown as Record<'func' | '_call', unknown>;
  const key = typeof methods.func === 'function' ? 'func' : typeof methods._call === 'function' ? '_call' : undefined;
  if (!key) throw new TypeError(`${where}: the tool has neither \`func\` nor \`_call\`, so it cannot be gated`);
  const body = (methods[key] as Body).bind(tool);
  const gated = async (input: unknown, runManager?: unknown, config?: { signal?: AbortSignal }): Promise<unknown> => {
    const verdict = await authorize(gateOpts, input, { signal: config?.signal });
    return body(verdict.editedArguments ?? input, runManager, config);
  };
  replaceMethod(tool, key, markGated(gated), where);
  return markGated(tool);
}
