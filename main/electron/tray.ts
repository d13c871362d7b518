import type { Menu, NativeImage, Notification, NotificationConstructorOptions, Tray } from 'electron';
import type { ApprovalView } from '../../shared/ipc/contract.js';
import type { ConsoleService } from '../console/service.js';

/** The Electron classes the tray needs (injected, so it runs under test with fakes). */
export interface TrayDeps {
  Tray: new (image: NativeImage) => Pick<Tray, 'setToolTip' | 'setTitle' | 'setContextMenu' | 'on' | 'destroy'>;
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  Notification: (new (options: NotificationConstructorOptions) => Pick<Notification, 'on' | 'show'>) & { isSupported(): boolean };
  icon: NativeImage;
  platform: NodeJS.Platform;
  service: ConsoleService;
  showWindow(): void;
  quit(): void;
}

/**
 * The tray shows how many requests wait; every new pending request raises a native notification.
 * On macOS it carries Approve and Deny buttons (decided as the console's user); elsewhere a click
 * brings the window forward, where the request can be read in full before deciding.
 */
export async function startTray(deps: TrayDeps): Promise<{ pending(): number; stop(): void }> {
  const tray = new deps.Tray(deps.icon);
  const pending = new Set<string>();
  const update = () => {
    const n = pending.size;
    tray.setToolTip(n === 0 ? 'CapFence: nothing waiting' : `CapFence: ${n} request${n === 1 ? '' : 's'} waiting for approval`);
    if (deps.platform === 'darwin') tray.setTitle(n === 0 ? '' : String(n));
    tray.setContextMenu(
      deps.Menu.buildFromTemplate([
        { label: n === 0 ? 'No pending requests' : `${n} pending request${n === 1 ? '' : 's'}`, enabled: false },
        { type: 'separator' },
        { label: 'Open CapFence Console', click: () => deps.showWindow() },
        { label: 'Quit (agents are then denied)', click: () => deps.quit() },
      ]),
    );
  };
  tray.on('click', () => deps.showWindow());

  const notify = (a: ApprovalView) => {
    if (!deps.Notification.isSupported()) return;
    const mac = deps.platform === 'darwin';
    const n = new deps.Notification({
      title: 'Approval needed',
      body: `${a.actor} wants ${a.capability} (${a.tool})`,
      ...(mac ? { actions: [{ type: 'button' as const, text: 'Approve' }, { type: 'button' as const, text: 'Deny' }], closeButtonText: 'Later' } : {}),
    });
    n.on('click', () => deps.showWindow());
    if (mac) {
      n.on('action', (event) => {
        const channel = event.actionIndex === 0 ? 'approvals:approve' : 'approvals:deny';
        void deps.service.handle(channel, { ids: [a.id], reason: 'decided from the notification' });
      });
    }
    n.show();
  };

  const listed = await deps.service.handle('approvals:list', { status: 'pending' });
  if (listed.ok) for (const a of listed.value as ApprovalView[]) pending.add(a.id);
  update();

  const unsubscribe = deps.service.subscribe((event, payload) => {
    if (event !== 'approvals:changed') return;
    let changed = false;
    for (const a of (payload as { approvals: ApprovalView[] }).approvals) {
      if (a.status === 'pending' && !pending.has(a.id)) {
        pending.add(a.id);
        notify(a);
        changed = true;
      } else if (a.status !== 'pending' && pending.delete(a.id)) changed = true;
    }
    if (changed) update();
  });

  return {
    pending: () => pending.size,
    stop() {
      unsubscribe();
      tray.destroy();
    },
  };
}
