import { useSyncExternalStore } from 'react';
import { nowSeconds } from '../lib/time.js';

// One shared one-second clock: every countdown on screen re-renders on the same tick, and the
// interval only runs while something is subscribed.
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
let current = nowSeconds();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    current = nowSeconds();
    timer = setInterval(() => {
      current = nowSeconds();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** The current time in seconds, updated every second. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => current);
}
