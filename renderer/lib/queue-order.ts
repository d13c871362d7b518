import type { ApprovalView } from '../../shared/ipc/contract.js';

/** Riskiest first, then oldest first (closest to expiring), then id for a stable order. */
export function comparePending(a: ApprovalView, b: ApprovalView): number {
  return b.risk - a.risk || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The pending requests in the order the queue shows them. */
export function sortPending(pending: Readonly<Record<string, ApprovalView>>): ApprovalView[] {
  return Object.values(pending).sort(comparePending);
}

export type RiskLevel = 'critical' | 'high' | 'medium' | 'low';

/** The risk score (0..1) as a level for the badge. */
export function riskLevel(risk: number): RiskLevel {
  return risk >= 0.9 ? 'critical' : risk >= 0.7 ? 'high' : risk >= 0.4 ? 'medium' : 'low';
}

/** The id the cursor moves to: `delta` rows away from the current one, clamped to the list. */
export function moveCursor(order: readonly { id: string }[], current: string | null, delta: number): string | null {
  if (order.length === 0) return null;
  const at = current === null ? -1 : order.findIndex((a) => a.id === current);
  const from = at < 0 ? (delta > 0 ? -1 : 0) : at;
  const next = Math.min(order.length - 1, Math.max(0, from + delta));
  return order[next]?.id ?? null;
}

/** The row to show after `ids` leave the queue: the first remaining row after them, else before. */
export function cursorAfterRemoval(order: readonly { id: string }[], ids: ReadonlySet<string>, current: string | null): string | null {
  const at = current === null ? 0 : Math.max(0, order.findIndex((a) => a.id === current));
  for (let i = at; i < order.length; i++) if (!ids.has(order[i]!.id)) return order[i]!.id;
  for (let i = at - 1; i >= 0; i--) if (!ids.has(order[i]!.id)) return order[i]!.id;
  return null;
}

/** The ids from `fromId` to `toId` inclusive, in queue order whichever way round they are given; empty if either is gone. */
export function rangeBetween(order: readonly { id: string }[], fromId: string, toId: string): string[] {
  const a = order.findIndex((r) => r.id === fromId);
  const b = order.findIndex((r) => r.id === toId);
  if (a < 0 || b < 0) return [];
  return order.slice(Math.min(a, b), Math.max(a, b) + 1).map((r) => r.id);
}
