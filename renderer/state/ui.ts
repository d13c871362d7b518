import type { ResponseOf } from '../../shared/ipc/contract.js';
import type { ConnectionState } from '../api/connect.js';
import type { GetConsole, SetConsole } from './store.js';

export type Screen = 'approvals' | 'grants' | 'policy' | 'audit';
export type ThemeChoice = 'system' | 'light' | 'dark';

/** Shell state: the screen, theme, connection, session and the live announcement. */
export interface UiSlice {
  screen: Screen;
  theme: ThemeChoice;
  connection: ConnectionState;
  session: ResponseOf<'session:info'> | null;
  /** Text for the polite live region (new requests, results of actions). */
  announcement: string;
  shortcutsOpen: boolean;
  setScreen: (screen: Screen) => void;
  setTheme: (theme: ThemeChoice) => void;
  setConnection: (connection: ConnectionState) => void;
  setSession: (session: ResponseOf<'session:info'> | null) => void;
  announce: (text: string) => void;
  setShortcutsOpen: (open: boolean) => void;
}

export function createUiSlice(set: SetConsole, _get: GetConsole): UiSlice {
  const patch = (p: Partial<UiSlice>) => set((s) => ({ ui: { ...s.ui, ...p } }));
  return {
    screen: 'approvals',
    theme: 'system',
    connection: 'connecting',
    session: null,
    announcement: '',
    shortcutsOpen: false,
    setScreen: (screen) => patch({ screen }),
    setTheme: (theme) => patch({ theme }),
    setConnection: (connection) => patch({ connection }),
    setSession: (session) => patch({ session }),
    announce: (announcement) => patch({ announcement }),
    setShortcutsOpen: (shortcutsOpen) => patch({ shortcutsOpen }),
  };
}
