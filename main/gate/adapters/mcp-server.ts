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

type Registered = { update?: (updates: Record<string, unknown>) => unknown };

/**
 * Gates every tool registered on `server` from now on: `registerTool` and the older `tool` wrap each
 * handler with `gateMcpHandler`, and so does a later `update({ callback })` of a registered tool.
 * Task tools (`experimental.tasks.registerToolTask`) are refused: their handlers are not gated.
 * Options may depend on the tool's name (`(name) => options`).
 */
export function gateMcpServer<S extends McpServerLike>(server: S, opts: AdapterOptions<Record<string, unknown>> | ((toolName: string) => AdapterOptions<Record<string, unknown>>)): S {
  const where = 'gateMcpServer';
  if (typeof server !== 'object' || server === null || typeof server.registerTool !== 'function') throw new TypeError(`${where}: not an McpServer (no \`registerTool\`)`);
  if (isGated(server)) return server;
  const register = server.registerTool.bind(server) as (name: string, config: unknown, handler: unknown) => unknown;
  const optionsOf = typeof opts === 'function' ? opts : () => opts;
  // Check the options once now, so a misconfigured server fails at start, not at its first call.
  if (typeof opts !== 'function') optionsFor('tool', opts, where);
  // A registered tool's `update({ callback })` swaps its handler: the new one is gated too.
  const guardUpdates = (name: string, registered: unknown): unknown => {
    const r = registered as Registered | undefined;
    if (r && typeof r.update === 'function') {
      const update = r.update.bind(r);
      r.update = (updates) => update(typeof updates['callback'] === 'function' ? { ...updates, callback: gateMcpHandler(name, updates['callback'] as Handler, optionsOf(name)) } : updates);
    }
    return registered;
  };
  const registerGated = (name: string, config: unknown, handler: unknown): unknown =>
    guardUpdates(name, register(name, config, gateMcpHandler(name, handler as Handler, optionsOf(name))));
  replaceMethod(server, 'registerTool', registerGated, where);
  const legacy = (server as unknown as { tool?: unknown }).tool;
  if (typeof legacy === 'function') {
    const tool = (legacy as (...a: unknown[]) => unknown).bind(server);
    // `tool(name, [description], [schema], [annotations], callback)`: the callback is always last.
    const toolGated = (name: string, ...rest: unknown[]): unknown => {
      const cb = rest[rest.length - 1];
      if (typeof cb !== 'function') return tool(name, ...rest);
      return guardUpdates(name, tool(name, ...rest.slice(0, -1), gateMcpHandler(name, cb as Handler, optionsOf(name))));
    };
    replaceMethod(server, 'tool', toolGated, where);
  }
  const tasks = (server as unknown as { experimental?: { tasks?: { registerToolTask?: unknown } } }).experimental?.tasks;
  if (tasks && typeof tasks.registerToolTask === 'function') {
    replaceMethod(tasks, 'registerToolTask', (name: string) => {
      throw new TypeError(`gateMcpServer: task tool \`${name}\` cannot be gated; gate its task handlers with gate() and register it on an ungated server`);
    }, where);
  }
  return markGated(server);
}
