import { authorize, isGated, markGated, type GateOptions } from '../gate.js';
import { optionsFor, replaceMethod, type AdapterOptions } from './common.js';

/** What this adapter needs of an MCP SDK `McpServer`: `registerTool(name, config, handler)`. */
export interface McpServerLike {
  registerTool: (name: string, config: never, handler: never) => unknown;
}

type Extra = { signal?: AbortSignal };
type Handler = (...args: unknown[]) => unknown;

/**
 * Gates one MCP tool handler (`server.registerTool(name, config, gateMcpHandler(name, handler, opts))`).
 * Handlers of tools with an input schema get `(args, extra)`, others `(extra)`; both are handled.
 * A block throws `AgentActionBlocked`, which the SDK returns to the client as an `isError` result.
 */
export function gateMcpHandler<H extends (...args: never[]) => unknown>(name: string, handler: H, opts: AdapterOptions<Record<string, unknown>>): H {
  const where = `gateMcpHandler(${name})`;
  if (typeof handler !== 'function') throw new TypeError(`${where}: the handler is not a function`);
  if (isGated(handler)) return handler;
  const gateOpts = optionsFor(name, opts, where) as GateOptions<unknown>;
  const gated = async (...args: unknown[]): Promise<unknown> => {
    // With an input schema the SDK calls (args, extra); without one, (extra) only.
    const withArgs = args.length >= 2;
    const input = withArgs ? args[0] : undefined;
    const extra = (withArgs ? args[1] : args[0]) as Extra | undefined;
    const verdict = await authorize(gateOpts, input, { signal: extra?.signal });
    if (withArgs && verdict.editedArguments) return (handler as unknown as Handler)(verdict.editedArguments, ...args.slice(1));
    return (handler as unknown as Handler)(...args);
  };
  return markGated(gated) as unknown as H;
}

/**
 * Gates every tool registered on `server` from now on: its `registerTool` wraps each handler with
 * `gateMcpHandler`. Options may depend on the tool's name (`(name) => options`).
 */
export function gateMcpServer<S extends McpServerLike>(server: S, opts: AdapterOptions<Record<string, unknown>> | ((toolName: string) => AdapterOptions<Record<string, unknown>>)): S {
  const where = 'gateMcpServer';
  if (typeof server !== 'object' || server === null || typeof server.registerTool !== 'function') throw new TypeError(`${where}: not an McpServer (no \`registerTool\`)`);
  if (isGated(server)) return server;
  const register = server.registerTool.bind(server) as (name: string, config: unknown, handler: unknown) => unknown;
  const optionsOf = typeof opts === 'function' ? opts : () => opts;
  // Check the options once now, so a misconfigured server fails at start, not at its first call.
  if (typeof opts !== 'function') optionsFor('tool', opts, where);
  const registerGated = (name: string, config: unknown, handler: unknown): unknown =>
    register(name, config, gateMcpHandler(name, handler as Handler, optionsOf(name)));
  replaceMethod(server, 'registerTool', registerGated, where);
  return markGated(server);
}
