import { createContext, useContext, type ReactNode } from 'react';
import type { ConsoleApi } from '../../shared/ipc/contract.js';

const ApiContext = createContext<ConsoleApi | null>(null);

/** Makes the console API available to screens (the real one, or a fake in tests). */
export function ApiProvider({ api, children }: { api: ConsoleApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

/** The console API; screens call requests through it. */
export function useApi(): ConsoleApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiProvider>');
  return api;
}
