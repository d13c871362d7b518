import type { EventChannel, RequestChannel } from '../../shared/ipc/contract.js';
import type { ConsoleTransport } from '../../shared/ipc/client.js';

/**
 * The desktop console's transport: `window.capfence`, exposed by the sandboxed preload with one
 * function per request channel and `on(event, fn)`. Its answers are still parsed by
 * `createConsoleApi`, exactly as the WebSocket path's are.
 */

/** The preload's bridge object, as the renderer sees it before validation. */
export type PreloadBridge = {
  [C in RequestChannel]: (payload: unknown) => Promise<unknown>;
} & {
  on(event: EventChannel, listener: (payload: unknown) => void): () => void;
};

/** The preload's bridge when running inside the desktop shell; null in a plain browser. */
export function preloadBridge(): PreloadBridge | null {
  const bridge = (globalThis as unknown as { capfence?: PreloadBridge }).capfence;
  return bridge && typeof bridge.on === 'function' ? bridge : null;
}

/** A transport over `window.capfence` (or a given bridge object, for tests). */
export function createElectronTransport(bridge: PreloadBridge | null = preloadBridge()): ConsoleTransport {
  if (!bridge) throw new Error('window.capfence is missing: not running in the desktop shell');
  return {
    invoke(channel, payload) {
      const fn = bridge[channel];
      if (typeof fn !== 'function') return Promise.reject(new Error(`the desktop shell does not offer \`${channel}\``));
      return fn(payload);
    },
    subscribe(event, listener) {
      return bridge.on(event, listener);
    },
  };
}
