import { useId, useState, type RefObject } from 'react';

interface BatchBarProps {
  count: number;
  reasonRef: RefObject<HTMLInputElement | null>;
  onApprove: () => void;
  onDeny: (reason: string) => void;
  onClear: () => void;
  onSelectAll: () => void;
}

/** Actions on every selected request at once. */
export function BatchBar({ count, reasonRef, onApprove, onDeny, onClear, onSelectAll }: BatchBarProps) {
  const [reason, setReason] = useState('');
  const id = useId();
  return (
    <form
      className="batch-bar"
      aria-label="Batch actions"
      onSubmit={(e) => {
        e.preventDefault();
        onDeny(reason);
        setReason('');
      }}
    >
      <strong>{count.toLocaleString()} selected</strong>
      <button type="button" className="btn btn-approve" onClick={onApprove}>
        Approve all <kbd>⇧A</kbd>
      </button>
      <label htmlFor={id} className="visually-hidden">
        Reason the agents will see
      </label>
      <input id={id} ref={reasonRef} className="grow" placeholder="Reason for denying all (optional)" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()} />
      <button type="submit" className="btn btn-deny">
        Deny all <kbd>⇧D</kbd>
      </button>
      <button type="button" className="btn btn-quiet" onClick={onSelectAll}>
        Select all
      </button>
      <button type="button" className="btn btn-quiet" onClick={onClear}>
        Clear
      </button>
    </form>
  );
}
