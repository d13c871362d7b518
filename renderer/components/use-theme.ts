import { useEffect } from 'react';
import { useConsole } from '../state/store.js';
import type { ThemeChoice } from '../state/ui.js';

const KEY = 'capfence.theme';

/** The saved theme choice, if any. */
export function savedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Applies the theme choice to <html> (CSS follows `data-theme`, else prefers-color-scheme) and keeps it. */
export function useTheme(): void {
  const theme = useConsole((s) => s.ui.theme);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    try {
      localStorage.setItem(KEY, theme);
    } catch {
      // Storage can be unavailable (private windows); the choice then lasts for this session.
    }
  }, [theme]);
}
