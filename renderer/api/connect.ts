import { createConsoleApi } from '../../shared/ipc/client.js';
import type { ConsoleApi, RequestChannel } from '../../shared/ipc/contract.js';
import { requestChannels } from '../../shared/ipc/contract.js';
import { createElectronTransport, preloadBridge } from './electron-transport.js';
import { createWsTransport, type ConnectionStatus } from './ws-transport.js';

/** How the renderer reached the main side. */
export type TransportKind = 'electron' | 'websocket';

/** The connection's state, shown in the shell. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface Connection {
  api: ConsoleApi;
  kind: TransportKind;
  /** Reports transport state changes (WebSocket drops and reconnects); calls back at once with the current one. */
  onState: (listener: (state: ConnectionState) => void) => () => void;
}

const fromWsStatus = (s: ConnectionStatus): ConnectionState => (s === 'open' ? 'connected' : s === 'connecting' ? 'connecting' : 'disconnected');

/**
 * The one seam between the UI and the transports: the Electron preload (`window.capfence`) when
 * present, else the loopback WebSocket of `capfence console` (its token read from `#token=…` once,
 * then kept in sessionStorage and removed from the URL by the transport).
 */
export function connectConsole(): Connection {
  const bridge = preloadBridge();
  if (bridge) {
    return { api: createConsoleApi(createElectronTransport(bridge)), kind: 'electron', onState: (l) => (l('connected'), () => {}) };
  }
  try {
    const ws = createWsTransport();
    return {
      api: createConsoleApi(ws),
      kind: 'websocket',
      onState: (l) => {
        l(fromWsStatus(ws.status));
        return ws.onStatus((s) => l(fromWsStatus(s)));
      },
    };
  } catch (e) {
    return unavailable(e instanceof Error ? e.message : String(e));
  }
}

/** An API whose every request fails with the reason: the UI shows it instead of a blank page. */
function unavailable(message: string): Connection {
  const api: Record<string, unknown> = {};
  for (const channel of requestChannels as RequestChannel[]) api[channel] = async () => ({ ok: false, error: { code: 'INTERNAL', message } });
  api['on'] = () => () => {};
  return { api: api as ConsoleApi, kind: 'websocket', onState: (l) => (l('disconnected'), () => {}) };
}
