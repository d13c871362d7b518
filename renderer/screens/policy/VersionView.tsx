import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatTimestamp } from '../../lib/time.js';
import { useConsole } from '../../state/store.js';
import { CompareView } from './CompareView.js';
import { PolicyTextView } from './PolicyTextView.js';
import { shortHash, useVersionText } from './use-version-text.js';

const backToEditor = () => useConsole.getState().policyHistory.setPane({ kind: 'editor' });

/** One recorded version, read-only, with "load as draft" (which never saves or activates anything). */
export function VersionView({ hash }: { hash: string }) {
  const text = useVersionText(hash);
  const { meta, activeHash, dirty } = useConsole(
    useShallow((s) => ({ meta: s.policyHistory.versions.find((v) => v.hash === hash), activeHash: s.policyEditor.activeHash, dirty: s.policyEditor.draft !== s.policyEditor.activeText })),
  );
  const [confirming, setConfirming] = useState(false);
  const short = shortHash(hash);

  const load = () => {
    if (text.state !== 'ready') return;
    const { policyEditor, policyHistory, ui } = useConsole.getState();
    policyEditor.loadDraftFrom({ text: text.text, hash });
    policyHistory.setPane({ kind: 'editor' });
    ui.announce(`Version ${short} loaded as a draft: check it, then save to make it active`);
  };

  return (
    <section className="version-view" aria-labelledby="version-title">
      <div className="version-head">
        <h3 id="version-title">
          Version <span className="mono">{short}</span>
        </h3>
        {hash === activeHash && <span className="chip chip-ok">active</span>}
        <span className="chip">read-only</span>
        <span className="spacer" />
        <button type="button" className="btn" onClick={backToEditor}>
          Back to editor
        </button>
        <button type="button" className="btn btn-primary" disabled={text.state !== 'ready'} onClick={() => (dirty ? setConfirming(true) : load())}>
          Load as draft
        </button>
      </div>
      {meta && (
        <p className="version-meta muted small">
          Recorded {formatTimestamp(meta.createdAt)} · policy id <span className="mono">{meta.policyId}</span> · <span className="mono">{meta.sourcePath ?? 'no file'}</span>
        </p>
      )}
      {confirming && (
        <div className="banner banner-warn banner-row" role="alert">
          <span>Loading this version replaces your unsaved draft.</span>
          <button type="button" className="btn btn-small" onClick={load}>
            Replace my draft
          </button>
          <button type="button" className="btn btn-small" onClick={() => setConfirming(false)}>
            Keep my draft
          </button>
        </div>
      )}
      {text.state === 'ready' && <PolicyTextView text={text.text} label={`Policy version ${short} (read-only)`} />}
      {text.state === 'loading' && <p className="muted">Loading version {short}…</p>}
      {text.state === 'error' && (
        <p className="banner banner-error" role="alert">
          Could not load version {short}: {text.message}
        </p>
      )}
    </section>
  );
}

/** Two recorded versions, diffed from the first to the second. */
export function VersionsCompare({ from, to }: { from: string; to: string }) {
  const before = useVersionText(from);
  const after = useVersionText(to);
  const [f, t] = [shortHash(from), shortHash(to)];
  const failed = [before, after].find((x) => x.state === 'error');
  return (
    <section className="version-view" aria-labelledby="version-title">
      <div className="version-head">
        <h3 id="version-title">
          Version <span className="mono">{f}</span> → <span className="mono">{t}</span>
        </h3>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => useConsole.getState().policyHistory.setPane({ kind: 'versions', from: to, to: from })}>
          Swap
        </button>
        <button type="button" className="btn" onClick={backToEditor}>
          Back to editor
        </button>
      </div>
      {before.state === 'ready' && after.state === 'ready' ? (
        <CompareView before={before.text} after={after.text} label={`Changes from version ${f} to ${t}`} against={`from ${f} to ${t}`} same="The two versions have the same text." />
      ) : failed?.state === 'error' ? (
        <p className="banner banner-error" role="alert">
          Could not load a version: {failed.message}
        </p>
      ) : (
        <p className="muted">Loading versions…</p>
      )}
    </section>
  );
}

