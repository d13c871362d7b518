import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, protocol, session, Tray } from 'electron';
import { packageRoot, resolveConsolePolicy } from '../cli/commands/console.js';
import { createConsoleService, type ConsoleService } from '../console/service.js';
import { startLocalGateway } from '../mcp-http/gateway.js';
import { capfenceHome, defaultDbPath } from '../paths.js';
import { loadPolicyForRuntime } from '../policy/load-policy.js';
import { ActionRuntime } from '../runtime/action-runtime.js';
import { StoreBackend } from '../runtime/store-backend.js';
import { GroupCommitBackend } from '../runtime/group-commit-backend.js';
import { openStore } from '../store/store.js';
import { registerIpc } from './ipc.js';
import { ensureElectronSqlite } from './native-sqlite.js';
import { APP_ORIGIN, APP_SCHEME, registerAppProtocol } from './protocol.js';
import { startTray } from './tray.js';
import { hardenSession, hardenWebContents, windowOptions } from './window.js';

/**
 * The desktop shell: thin. It composes the same modules `capfence console` runs (store, runtime,
 * local gateway, console service) and adds the window, IPC, tray and notifications. Quitting
 * closes the store, so the gateways fail closed instead of letting calls through.
 */

/** What the running shell holds (tests inspect it). */
export interface Desktop {
  window: BrowserWindow;
  service: ConsoleService;
  shutdown(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const inline = process.argv.find((a) => a.startsWith(`${name}=`));
  return inline ? inline.slice(name.length + 1) : undefined;
}

// Must happen before `ready`: `app://` behaves as a standard, secure origin (relative URLs, fetch, CSP 'self').
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let window: BrowserWindow | null = null;
const showWindow = () => {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
};

async function startDesktop(): Promise<Desktop> {
  const home = capfenceHome(env);
  // Electron's ABI differs from Node's. A packaged app ships better-sqlite3 rebuilt for Electron
  // (and its run-as-node fuse is off, so it could not run node-gyp anyway); a development run
  // uses node_modules' Node build, so it builds (once) a binding of its own under $CAPFENCE_HOME.
  const electronVersion = process.versions.electron;
  const nativeBinding = electronVersion && !app.isPackaged ? await ensureElectronSqlite({ home, abi: process.versions.modules, electronVersion }) : undefined;
  const policy = resolveConsolePolicy(argValue('--policy'), { cwd: process.cwd(), env });
  const loaded = loadPolicyForRuntime(policy.path);
  const store = openStore(argValue('--db') ?? defaultDbPath(env), { env, ...(nativeBinding ? { nativeBinding } : {}) });
  const runtime = ActionRuntime.fromLoaded(loaded, { backend: new GroupCommitBackend(new StoreBackend(store, false)) });
  const gatewayPort = argValue('--gateway-port');
  const gateway = await startLocalGateway({ store, runtime: () => runtime, ...(gatewayPort ? { port: Number(gatewayPort) } : {}) });
  const service = createConsoleService({ store, policyPath: policy.path, user: safeUser(), transport: 'electron', gatewayUrl: gateway.url, home, runtime, ...(nativeBinding ? { nativeBinding } : {}) });

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  hardenSession(session.defaultSession);
  registerAppProtocol(protocol, join(packageRoot(here), 'dist', 'renderer'));

  window = new BrowserWindow(windowOptions(join(here, 'preload.cjs')));
  const win = window;
  win.once('ready-to-show', () => win.show());
  const disposeIpc = registerIpc(ipcMain, service, () => BrowserWindow.getAllWindows().map((w) => w.webContents));
  void win.loadURL(`${APP_ORIGIN}/index.html`);

  const tray = await startTray({ Tray, Menu, Notification, icon: nativeImage.createEmpty(), platform: process.platform, service, showWindow, quit: () => app.quit() });

  let closed: Promise<void> | null = null;
  const shutdown = () =>
    (closed ??= (async () => {
      tray.stop();
      disposeIpc();
      service.close();
      await gateway.close().catch(() => undefined);
      await store.close();
    })());
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void shutdown().finally(() => app.quit());
  });
  // The tray keeps approvals flowing with the window closed; Quit in the tray ends it.
  app.on('window-all-closed', () => undefined);
  return { window: win, service, shutdown };
}

function safeUser(): string {
  return env['USER'] ?? env['USERNAME'] ?? 'console';
}

/** Resolves when the shell is up (undefined when another instance already runs or start failed). */
export const desktop: Promise<Desktop | undefined> = (async () => {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  app.on('second-instance', showWindow);
  await app.whenReady();
  try {
    return await startDesktop();
  } catch (e) {
    dialog.showErrorBox('CapFence could not start', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return undefined;
  }
})();
