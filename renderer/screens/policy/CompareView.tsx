import { useMemo } from 'react';
import { lineDiff } from '../../lib/line-diff.js';

interface CompareViewProps {
  before: string;
  after: string;
  /** The diff table's accessible name. */
  label: string;
  /** What the counts are against, after "+3 −1 lines". */
  against: string;
  /** Said instead of counts when the texts are the same. */
  same: string;
}

/** Two policy texts, line by line: what `after` removes from `before` and adds to it. */
export function CompareView({ before, after, label, against, same }: CompareViewProps) {
  const lines = useMemo(() => lineDiff(before, after), [before, after]);
  const added = lines.filter((l) => l.kind === 'add').length;
  const removed = lines.filter((l) => l.kind === 'del').length;
  return (
    <div className="compare">
      <p className="compare-summary">
        {added === 0 && removed === 0 ? <span className="muted">{same}</span> : <><span className="ok-text">+{added}</span> <span className="error-text">−{removed}</span> <span className="muted">lines {against}</span></>}
      </p>
      <div className="diff" role="table" aria-label={label} tabIndex={0}>
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
