import { useMemo } from 'react';
import { lineDiff } from '../../lib/line-diff.js';

/** The draft against the active policy, line by line. */
export function CompareView({ active, draft }: { active: string; draft: string }) {
  const lines = useMemo(() => lineDiff(active, draft), [active, draft]);
  const added = lines.filter((l) => l.kind === 'add').length;
  const removed = lines.filter((l) => l.kind === 'del').length;
  return (
    <div className="compare">
      <p className="compare-summary">
        {added === 0 && removed === 0 ? <span className="muted">The draft is the same as the active policy.</span> : <><span className="ok-text">+{added}</span> <span className="error-text">−{removed}</span> <span className="muted">lines against the active version</span></>}
      </p>
      <div className="diff" role="table" aria-label="Changes from the active policy" tabIndex={0}>
        {lines.map((l, i) => (
          <div key={i} role="row" className={`diff-line diff-${l.kind}`}>
            <span role="cell" className="diff-no">{l.oldNo ?? ''}</span>
            <span role="cell" className="diff-no">{l.newNo ?? ''}</span>
            <span role="cell" className="diff-sign" aria-label={l.kind === 'add' ? 'added' : l.kind === 'del' ? 'removed' : 'unchanged'}>{l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ' '}</span>
            <span role="cell" className="diff-text">{l.text || ' '}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
