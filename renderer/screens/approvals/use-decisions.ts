import { useCallback } from 'react';
import type { ApprovalView, ConsoleResult, ResponseOf } from '../../../shared/ipc/contract.js';
import { useApi } from '../../api/api-context.js';
import { cursorAfterRemoval, sortPending } from '../../lib/queue-order.js';
import { useConsole } from '../../state/store.js';

export interface ApproveOptions {
  grantForSeconds?: number;
  editedArguments?: Record<string, unknown>;
  reason?: string;
}

type DecideResponse = ConsoleResult<ResponseOf<'approvals:approve'>>;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Approve and deny, for one request or a batch: moves the cursor on and applies the rows that come back. */
export function useDecisions() {
  const api = useApi();

  const settle = useCallback((ids: string[], res: DecideResponse, verb: string) => {
    const { queue, ui } = useConsole.getState();
    queue.setInFlight(ids, false);
    if (!res.ok) {
      queue.setError(`could not ${verb}: ${res.error.message}`);
      return;
    }
    const changed = res.value.flatMap((r) => (r.approval ? [r.approval] : []));
    if (changed.length > 0) queue.applyChanged(changed);
    const failed = res.value.filter((r) => !r.ok);
    const done = res.value.length - failed.length;
    queue.setError(failed.length > 0 ? `${plural(failed.length, 'request')} not ${verb}d: ${failed.map((f) => `${f.id} (${f.error ?? 'failed'})`).join(', ')}` : null);
    ui.announce(`${verb === 'approve' ? 'Approved' : 'Denied'} ${plural(done, 'request')}`);
  }, []);

  const begin = (ids: string[]) => {
    const { queue } = useConsole.getState();
    const order = sortPending(queue.pending);
    const gone = new Set(ids);
    queue.setInFlight(ids, true);
    // Move on before the answer arrives, so a fast approver never acts twice on the same row.
    queue.setCursor(cursorAfterRemoval(order, gone, queue.cursorId ?? order[0]?.id ?? null));
    queue.setSelection([...queue.selected].filter((id) => !gone.has(id)));
  };

  const approve = useCallback(
    async (ids: string[], opts: ApproveOptions = {}) => {
      const live = ids.filter((id) => !useConsole.getState().queue.inFlight.has(id));
      if (live.length === 0) return;
      begin(live);
      const res = await api['approvals:approve']({
        ids: live,
        ...(opts.reason ? { reason: opts.reason } : {}),
        ...(opts.grantForSeconds ? { grantForSeconds: opts.grantForSeconds } : {}),
        ...(opts.editedArguments && live.length === 1 ? { editedArguments: opts.editedArguments } : {}),
      });
      settle(live, res, 'approve');
    },
    [api, settle],
  );

  const deny = useCallback(
    async (ids: string[], reason: string) => {
      const live = ids.filter((id) => !useConsole.getState().queue.inFlight.has(id));
      if (live.length === 0) return;
      begin(live);
      const res = await api['approvals:deny']({ ids: live, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      settle(live, res, 'deny');
    },
    [api, settle],
  );

  return { approve, deny };
}

/** The request the cursor is on: the stored cursor, else the first of the queue. */
export function effectiveCursor(order: readonly ApprovalView[], cursorId: string | null): ApprovalView | undefined {
  return (cursorId ? order.find((a) => a.id === cursorId) : undefined) ?? order[0];
}
