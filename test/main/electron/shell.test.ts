// Environment: node, with `electron` mocked (no Electron binary can run here). The shell's modules
// run for real against a real store in a temp CAPFENCE_HOME: window options, CSP, the app://
// protocol, IPC sender and payload validation, events to the window, tray and notifications,
// quitting, the preload in a sandbox-like VM, and the Electron-ABI sqlite build.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventChannels, requestChannels } from '../../../shared/ipc/contract.js';
import { openStore } from '../../../main/store/store.js';
import { tempHome } from '../../helpers/temp.js';

type Fn = (...args: never[]) => unknown;

const fx = vi.hoisted(() => {
  const ipcHandlers = new Map<string, (event: unknown, payload?: unknown) => Promise<unknown>>();
  const appEvents = new Map<string, ((...args: unknown[]) => void)[]>();
  const windows: FakeWindow[] = [];
  const protocolHandlers = new Map<string, (req: { url: string; method?: string }) => Promise<Response>>();
  const schemes: unknown[] = [];
  const notifications: { options: Record<string, unknown>; handlers: Map<string, (...a: unknown[]) => void>; shown: boolean }[] = [];
  const session = { permissionHandler: null as null | ((...a: unknown[]) => void), checkHandler: null as null | ((...a: unknown[]) => unknown), headersHandler: null as null | ((...a: unknown[]) => void) };
  const tray = { tooltip: '', title: '', menus: [] as unknown[] };
  let quitCalls = 0;
  class FakeWebContents {
    listeners = new Map<string, (...a: unknown[]) => void>();
    openHandler: ((d: unknown) => unknown) | null = null;
    sent: { channel: string; payload: unknown }[] = [];
    url = 'app://console/index.html';
    setWindowOpenHandler(h: (d: unknown) => unknown) {
      this.openHandler = h;
    }
    on(ev: string, fn: (...a: unknown[]) => void) {
      this.listeners.set(ev, fn);
      return this;
    }
    send(channel: string, payload: unknown) {
      this.sent.push({ channel, payload });
    }
    isDestroyed() {
      return false;
    }
    getURL() {
      return this.url;
    }
  }
  class FakeWindow {
    webContents = new FakeWebContents();
    loaded: string | null = null;
    constructor(readonly options: Record<string, unknown>) {
      windows.push(this);
      for (const l of appEvents.get('web-contents-created') ?? []) l({}, this.webContents);
    }
    static getAllWindows() {
      return windows;
    }
    once() {
      return this;
    }
    async loadURL(url: string) {
      this.loaded = url;
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    show() {}
    focus() {}
    restore() {}
  }
  const on = (ev: string, fn: (...a: unknown[]) => void) => {
    appEvents.set(ev, [...(appEvents.get(ev) ?? []), fn]);
  };
  class FakeTray {
    setToolTip(t: string) {
      tray.tooltip = t;
    }
    setTitle(t: string) {
      tray.title = t;
    }
    setContextMenu(m: unknown) {
      tray.menus.push(m);
    }
    on() {}
    destroy() {}
  }
  class FakeNotification {
    handlers = new Map<string, (...a: unknown[]) => void>();
    record: (typeof notifications)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, handlers: this.handlers, shown: false };
      notifications.push(this.record);
    }
    static isSupported() {
      return true;
    }
    on(ev: string, fn: (...a: unknown[]) => void) {
      this.handlers.set(ev, fn);
      return this;
    }
    show() {
      this.record.shown = true;
    }
  }
  const electron = {
    app: {
      isPackaged: false,
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on,
      quit: () => void quitCalls++,
      exit: () => undefined,
    },
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (c: string, f: (event: unknown, payload?: unknown) => Promise<unknown>) => void ipcHandlers.set(c, f),
      removeHandler: (c: string) => void ipcHandlers.delete(c),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void schemes.push(...s),
      handle: (scheme: string, h: (req: { url: string; method?: string }) => Promise<Response>) => void protocolHandlers.set(scheme, h),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: (...a: unknown[]) => void) => void (session.permissionHandler = h),
        setPermissionCheckHandler: (h: (...a: unknown[]) => unknown) => void (session.checkHandler = h),
        webRequest: { onHeadersReceived: (h: (...a: unknown[]) => void) => void (session.headersHandler = h) },
      },
    },
    Tray: FakeTray,
    Menu: { buildFromTemplate: (t: unknown) => t },
    Notification: FakeNotification,
    nativeImage: { createEmpty: () => ({}) },
    dialog: { showErrorBox: (title: string, body: string) => console.error(title, body) },
  };
  return { electron, ipcHandlers, appEvents, windows, protocolHandlers, schemes, notifications, session, tray, quits: () => quitCalls };
});

vi.mock('electron', () => ({ ...fx.electron, default: fx.electron }));

const t = tempHome('capfence-desktop-');
let desktop: Awaited<typeof import('../../../main/electron/main.js')['desktop']>;

beforeAll(async () => {
  process.env['CAPFENCE_HOME'] = t.home;
  const main = await import('../../../main/electron/main.js');
  desktop = await main.desktop;
  if (!desktop) throw new Error('the desktop shell did not start');
});
afterAll(async () => {
  await desktop?.shutdown();
});

const appEvent = { senderFrame: { url: 'app://console/index.html' } };
const call = (channel: string, payload: unknown, event: unknown = appEvent) => {
  const h = fx.ipcHandlers.get(channel);
  if (!h) throw new Error(`no handler for ${channel}`);
  return h(event, payload) as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
};

describe('desktop window and session', () => {
  it('opens one hardened window on app:// with the preload', () => {
    expect(fx.windows.length).toBe(1);
    const w = fx.windows[0];
    expect(w?.options['webPreferences']).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String((w?.options['webPreferences'] as { preload: string }).preload)).toMatch(/main\/electron\/preload\.cjs$/);
    expect(w?.loaded).toBe('app://console/index.html');
    expect(fx.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('denies new windows, foreign navigation, webviews and every permission; CSP on every response', () => {
    const wc = fx.windows[0]?.webContents;
    expect(wc?.openHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    for (const [url, blocked] of [['https://evil.example/', true], ['file:///etc/passwd', true], ['app://other/x', true], ['app://console/index.html#/audit', false]] as const) {
      const preventDefault = vi.fn();
      wc?.listeners.get('will-navigate')?.({ url, preventDefault });
      expect(preventDefault.mock.calls.length > 0, url).toBe(blocked);
    }
    const webview = vi.fn();
    wc?.listeners.get('will-attach-webview')?.({ preventDefault: webview });
    expect(webview).toHaveBeenCalled();
    const granted = vi.fn();
    fx.session.permissionHandler?.({}, 'notifications', granted, {});
    expect(granted).toHaveBeenCalledWith(false);
    expect(fx.session.checkHandler?.({}, 'media')).toBe(false);
    const done = vi.fn();
    fx.session.headersHandler?.({ responseHeaders: { 'content-security-policy': ['default-src *'] } }, done);
    expect(done).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [expect.stringMatching(/^default-src 'none'; script-src 'self';.*connect-src 'self';.*form-action 'none'$/)] } });
  });
});

describe('app:// protocol', () => {
  it('serves the renderer with MIME types and the CSP, and rejects traversal and other hosts', async () => {
    const { appResponse } = await import('../../../main/electron/protocol.js');
    const root = mkdtempSync(join(tmpdir(), 'capfence-app-'));
    const dir = join(root, 'renderer');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<title>console</title>');
    writeFileSync(join(dir, 'assets', 'a.js'), 'x');
    writeFileSync(join(root, 'secret.txt'), 'TOP SECRET');
    const index = await appResponse(dir, { url: 'app://console/' });
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'");
    expect((await appResponse(dir, { url: 'app://console/assets/a.js' })).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await (await appResponse(dir, { url: 'app://console/approvals' })).text()).toContain('<title>console</title>');
    expect((await appResponse(dir, { url: 'app://console/assets/none.js' })).status).toBe(404);
    for (const url of ['app://console/assets/..%2f..%2fsecret.txt', 'app://console/..%2fsecret.txt', 'app://console/%2e%2e%2fsecret.txt', 'app://console/..%5csecret.txt', 'app://console/x%00.html']) {
      const r = await appResponse(dir, { url });
      expect(r.status, url).toBeGreaterThanOrEqual(400);
      expect(await r.text()).not.toContain('TOP SECRET');
    }
    // Literal dot segments are normalized by the URL parser and cannot leave the folder either.
    expect(await (await appResponse(dir, { url: 'app://console/../../secret.txt' })).text()).not.toContain('TOP SECRET');
    expect((await appResponse(dir, { url: 'app://evil/index.html' })).status).toBe(404);
    expect((await appResponse(dir, { url: 'app://console/index.html', method: 'POST' })).status).toBe(405);
    // The shell registered the same handler for the built renderer.
    expect((await fx.protocolHandlers.get('app')?.({ url: 'app://console/index.html' }))?.status).toBe(200);
  });
});

describe('IPC', () => {
  it('registers exactly the contract channels through one handle()', () => {
    expect([...fx.ipcHandlers.keys()].sort()).toEqual([...requestChannels].sort());
  });

  it('answers only the app:// page and parses every payload', async () => {
    for (const event of [{ senderFrame: { url: 'https://evil.example/' } }, { senderFrame: { url: 'file:///tmp/x.html' } }, { senderFrame: null }, {}]) {
      expect(await call('session:info', {}, event)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    }
    const info = await call('session:info', {});
    expect(info).toMatchObject({ ok: true, value: { transport: 'electron', dbPath: t.db, gatewayUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) } });
    expect((await call('approvals:approve', { ids: 5 })).error?.code).toBe('BAD_REQUEST');
    expect((await call('grants:create', { actor: '', capability: 'x' })).error?.code).toBe('BAD_REQUEST');
    expect((await call('audit:query', undefined)).ok).toBe(true);
  });

  it('pushes events from other processes to the window, and notifies and counts in the tray', async () => {
    const other = openStore(t.db, { env: t.env });
    const a = await other.approvals.createOrAttach({ actor: 'agent-x', capability: 'shell.exec.prod', tool: 'bash', arguments: { cmd: 'ls' }, argumentsHash: 'h1', reason: 'r', rule: null, policyHash: null, expiresInSeconds: 600 });
    const wc = fx.windows[0]?.webContents;
    await vi.waitFor(() => expect(wc?.sent.some((s) => s.channel === 'approvals:changed' && JSON.stringify(s.payload).includes(a.id))).toBe(true), { timeout: 2000, interval: 10 });
    await vi.waitFor(() => expect(fx.notifications.some((n) => String(n.options['body']).includes('agent-x wants shell.exec.prod') && n.shown)).toBe(true), { timeout: 2000, interval: 10 });
    expect(fx.tray.tooltip).toBe('CapFence: 1 request waiting for approval');
    // Linux: no action buttons; a click focuses the window.
    expect(fx.notifications.at(-1)?.options['actions']).toBeUndefined();
    const r = await call('approvals:deny', { ids: [a.id], reason: 'no' });
    expect(r.ok).toBe(true);
    await vi.waitFor(() => expect(fx.tray.tooltip).toBe('CapFence: nothing waiting'), { timeout: 2000, interval: 10 });
    await other.close();
  });

  it('offers Approve and Deny on macOS notifications', async () => {
    const { startTray } = await import('../../../main/electron/tray.js');
    const listeners: ((e: string, p: unknown) => void)[] = [];
    const handled: [string, unknown][] = [];
    const service = {
      handle: async (c: string, p: unknown) => {
        handled.push([c, p]);
        return { ok: true, value: [] };
      },
      subscribe: (l: (e: string, p: unknown) => void) => {
        listeners.push(l);
        return () => undefined;
      },
    };
    const tray = await startTray({ ...fx.electron, icon: {} as never, platform: 'darwin', service: service as never, showWindow: () => undefined, quit: () => undefined } as never);
    listeners[0]?.('approvals:changed', { approvals: [{ id: 'ap-1', status: 'pending', actor: 'bot', capability: 'payment.transfer', tool: 'pay' }] });
    const n = fx.notifications.at(-1);
    expect(n?.options['actions']).toEqual([{ type: 'button', text: 'Approve' }, { type: 'button', text: 'Deny' }]);
    expect(fx.tray.title).toBe('1');
    n?.handlers.get('action')?.({ actionIndex: 0 });
    n?.handlers.get('action')?.({ actionIndex: 1 });
    expect(handled.slice(-2)).toEqual([
      ['approvals:approve', { ids: ['ap-1'], reason: 'decided from the notification' }],
      ['approvals:deny', { ids: ['ap-1'], reason: 'decided from the notification' }],
    ]);
    tray.stop();
  });
});

describe('preload', () => {
  const source = readFileSync(join(import.meta.dirname, '../../../main/electron/preload.cts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;

  function load() {
    const exposed: Record<string, Record<string, Fn>> = {};
    const invoked: [string, unknown][] = [];
    const subscribed = new Map<string, Fn>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, Fn>) => void (exposed[key] = api) },
      ipcRenderer: {
        invoke: async (c: string, p: unknown) => void invoked.push([c, p]),
        on: (c: string, f: Fn) => void subscribed.set(c, f),
        removeListener: (c: string) => void subscribed.delete(c),
      },
    };
    const required: string[] = [];
    const module = { exports: {} as { REQUEST_CHANNELS?: string[]; EVENT_CHANNELS?: string[] } };
    // A sandboxed preload can require `electron` and nothing else.
    const require = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require \`${name}\``);
      return electron;
    };
    runInNewContext(js, { require, module, exports: module.exports });
    return { exposed, invoked, subscribed, required, exports: module.exports };
  }

  it('holds exactly the contract channel names', () => {
    const { exports } = load();
    expect(exports.REQUEST_CHANNELS).toEqual(requestChannels);
    expect(exports.EVENT_CHANNELS).toEqual(eventChannels);
  });

  it('exposes one function per request channel and on() for contract events only', async () => {
    const { exposed, invoked, subscribed, required } = load();
    expect(required).toEqual(['electron']);
    const api = exposed['capfence'];
    if (!api) throw new Error('nothing exposed');
    expect(Object.keys(exposed)).toEqual(['capfence']);
    expect(Object.keys(api).sort()).toEqual([...requestChannels, 'on'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    await api['approvals:list']?.({ status: 'all' } as never);
    expect(invoked).toEqual([['approvals:list', { status: 'all' }]]);
    expect(() => api['on']?.('shell:exec' as never, (() => undefined) as never)).toThrow(/unknown console event/);
    const got: unknown[] = [];
    const off = api['on']?.('approvals:changed' as never, ((p: unknown) => got.push(p)) as never) as () => void;
    subscribed.get('approvals:changed')?.({ sender: 'ipc-event' } as never, { approvals: [] } as never);
    expect(got).toEqual([{ approvals: [] }]);
    off();
    expect(subscribed.has('approvals:changed')).toBe(false);
  });
});

describe('Electron-ABI better-sqlite3', () => {
  it('builds a copy under CAPFENCE_HOME once and never touches the Node build', async () => {
    const { ensureElectronSqlite, electronBindingPath } = await import('../../../main/electron/native-sqlite.js');
    const home = mkdtempSync(join(tmpdir(), 'capfence-native-'));
    const pkg = join(home, 'pkg');
    mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
    mkdirSync(join(pkg, 'src'), { recursive: true });
    mkdirSync(join(pkg, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(pkg, 'binding.gyp'), '{}');
    writeFileSync(join(pkg, 'src', 'better_sqlite3.cpp'), '// source');
    writeFileSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'), 'node-abi-115');
    const runs: { command: string; args: readonly string[]; cwd: string; env: NodeJS.ProcessEnv }[] = [];
    const run = async (command: string, args: readonly string[], o: { cwd: string; env: NodeJS.ProcessEnv }) => {
      runs.push({ command, args, ...o });
      expect(existsSync(join(o.cwd, 'src', 'better_sqlite3.cpp'))).toBe(true);
      expect(existsSync(join(o.cwd, 'build'))).toBe(false);
      expect(existsSync(join(o.cwd, 'node_modules'))).toBe(false);
      mkdirSync(join(o.cwd, 'build', 'Release'), { recursive: true });
      writeFileSync(join(o.cwd, 'build', 'Release', 'better_sqlite3.node'), 'electron-abi-140');
    };
    const opts = { home, abi: '140', electronVersion: '45.4.1', packageDir: pkg, nodeGyp: '/x/node-gyp.js', execPath: '/x/electron', run };
    const path = await ensureElectronSqlite(opts);
    expect(path).toBe(electronBindingPath(home, '140'));
    expect(path).toBe(join(home, 'native', 'electron-140', 'better_sqlite3.node'));
    expect(readFileSync(path, 'utf8')).toBe('electron-abi-140');
    expect(readFileSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'), 'utf8')).toBe('node-abi-115');
    expect(runs[0]).toMatchObject({ command: '/x/electron', env: { ELECTRON_RUN_AS_NODE: '1' } });
    expect(runs[0]?.args).toEqual(expect.arrayContaining(['/x/node-gyp.js', 'rebuild', '--target=45.4.1', '--runtime=electron']));
    // The scratch copy is gone; a second start reuses the build.
    expect(readdirSync(join(home, 'native')).filter((d) => d.startsWith('build-'))).toEqual([]);
    await ensureElectronSqlite(opts);
    expect(runs.length).toBe(1);
    // A failed build leaves nothing half-written behind.
    await expect(ensureElectronSqlite({ ...opts, abi: '141', run: async () => Promise.reject(new Error('no headers')) })).rejects.toThrow('no headers');
    expect(existsSync(electronBindingPath(home, '141'))).toBe(false);
  });
});

describe('quitting', () => {
  it('closes the store, so nothing is decided after the window is gone', async () => {
    const preventDefault = vi.fn();
    for (const l of fx.appEvents.get('before-quit') ?? []) l({ preventDefault });
    expect(preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(fx.quits()).toBeGreaterThan(0), { timeout: 3000, interval: 10 });
    const r = await desktop?.service.handle('approvals:list', {});
    expect(r?.ok).toBe(false);
  });
});
