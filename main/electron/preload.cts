// The sandboxed preload: CommonJS, and `electron` is the only module it can require. It exposes
// `window.capfence` with one function per request channel of the contract and `on()` for its
// events; never `ipcRenderer` itself or a generic send. It cannot import the contract, so it
// holds the channel names; a test checks they equal the contract's keys.
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';

const REQUEST_CHANNELS = [
  'session:info',
  'approvals:list',
  'approvals:approve',
  'approvals:deny',
  'grants:list',
  'grants:create',
  'grants:revoke',
  'policy:get',
  'policy:versions',
  'policy:version',
  'policy:check',
  'policy:save',
  'policy:replay',
  'audit:query',
  'audit:entry',
  'audit:verify',
  'audit:export',
] as const;

const EVENT_CHANNELS = ['approvals:changed', 'grants:changed', 'audit:appended', 'policy:changed', 'audit:verifyProgress'] as const;

const api: Record<string, unknown> = {};
for (const channel of REQUEST_CHANNELS) {
  api[channel] = (payload: unknown): Promise<unknown> => electron.ipcRenderer.invoke(channel, payload);
}
api['on'] = (event: string, listener: (payload: unknown) => void): (() => void) => {
  if (!(EVENT_CHANNELS as readonly string[]).includes(event)) throw new Error(`unknown console event \`${String(event)}\``);
  if (typeof listener !== 'function') throw new Error('listener must be a function');
  // The IPC event object (with its sender) never reaches the page: only the payload does.
  const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
  electron.ipcRenderer.on(event, wrapped);
  return () => {
    electron.ipcRenderer.removeListener(event, wrapped);
  };
};

electron.contextBridge.exposeInMainWorld('capfence', Object.freeze(api));

export = { REQUEST_CHANNELS, EVENT_CHANNELS };
