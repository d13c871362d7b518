import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { requestChannels, type ConsoleResult, type RequestChannel } from '../../shared/ipc/contract.js';
import type { ConsoleService } from '../console/service.js';
import { isAppUrl } from './protocol.js';

/** The part of `ipcMain` the shell uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Only the console's own page, served from `app://console`, may call the main side. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  try {
    return isAppUrl(event.senderFrame?.url);
  } catch {
    // A destroyed frame throws on access.
    return false;
  }
}

/**
 * The one place an IPC handler is registered: it checks the sender, then hands the raw payload
 * to `service.handle`, which parses it with the channel's schema (`parseRequest`) before any
 * handler sees it and returns a `ConsoleResult` whatever happens.
 */
function handle(ipcMain: IpcMainLike, channel: RequestChannel, service: ConsoleService): void {
  ipcMain.handle(channel, async (event, payload): Promise<ConsoleResult<unknown>> => {
    if (!isTrustedSender(event)) return { ok: false, error: { code: 'FORBIDDEN', message: `\`${channel}\` is only answered to the console page` } };
    return service.handle(channel, payload);
  });
}

/**
 * Registers every request channel of the contract and forwards pushed events to the windows
 * `targets` returns. Returns the function that undoes both.
 */
export function registerIpc(ipcMain: IpcMainLike, service: ConsoleService, targets: () => readonly Pick<WebContents, 'send' | 'isDestroyed' | 'getURL'>[]): () => void {
  for (const channel of requestChannels) handle(ipcMain, channel, service);
  const unsubscribe = service.subscribe((event, payload) => {
    for (const wc of targets()) {
      // Events go only to the console page, never to whatever a window might show instead.
      if (!wc.isDestroyed() && isAppUrl(wc.getURL())) wc.send(event, payload);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of requestChannels) ipcMain.removeHandler(channel);
  };
}
