import type { GrantView } from '../../shared/ipc/contract.js';
import type { GetConsole, SetConsole } from './store.js';

/** Grants by id, as the main side last reported them (active and recently ended). */
export interface GrantsSlice {
  byId: Readonly<Record<string, GrantView>>;
  loaded: boolean;
  lastError: string | null;
  replaceAll: (rows: readonly GrantView[]) => void;
  applyChanged: (rows: readonly GrantView[]) => void;
  setError: (message: string | null) => void;
}

export function createGrantsSlice(set: SetConsole, get: GetConsole): GrantsSlice {
  const patch = (p: Partial<GrantsSlice>) => set((s) => ({ grants: { ...s.grants, ...p } }));
  return {
    byId: {},
    loaded: false,
    lastError: null,
    replaceAll: (rows) => patch({ byId: Object.fromEntries(rows.map((g) => [g.id, g])), loaded: true }),
    applyChanged: (rows) => {
      const byId = { ...get().grants.byId };
      for (const g of rows) byId[g.id] = g;
      patch({ byId });
    },
    setError: (lastError) => patch({ lastError }),
  };
}

/** True while a grant can still authorize: not revoked, not tampered, not expired, uses left. */
export function isGrantActive(g: GrantView, nowSeconds: number): boolean {
  return g.revokedAt === null && !g.tampered && (g.expiresAt === null || g.expiresAt > nowSeconds) && (g.usesLeft === null || g.usesLeft > 0);
}
