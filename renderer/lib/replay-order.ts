import type { ResponseOf } from '../../shared/ipc/contract.js';

export type ReplayChange = ResponseOf<'policy:replay'>['changes'][number];
type Decision = ReplayChange['before'];

const strictness: Record<Decision, number> = { allow: 0, require_approval: 1, deny: 2 };

/** How a change moves: `newly-allowed` (the dangerous kind), `loosened`, or `tightened`. */
export function changeKind(c: ReplayChange): 'newly-allowed' | 'loosened' | 'tightened' {
  if (c.after === 'allow' && c.before !== 'allow') return 'newly-allowed';
  return strictness[c.after] < strictness[c.before] ? 'loosened' : 'tightened';
}

const rank = { 'newly-allowed': 0, loosened: 1, tightened: 2 } as const;

/** Newly allowed first, then other loosenings, then tightenings; source order within each. */
export function orderReplayChanges(changes: readonly ReplayChange[]): ReplayChange[] {
  return [...changes].sort((a, b) => rank[changeKind(a)] - rank[changeKind(b)] || a.ref - b.ref);
}
