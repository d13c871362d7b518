import { useState, type ReactNode } from 'react';
import { MASK, maskSecrets } from '../lib/mask.js';

/** Strings longer than this are folded behind "show more". */
export const FOLD_STRING_AT = 160;
/** Arrays and objects with more entries than this show the first ones behind "show more". */
export const FOLD_ITEMS_AT = 25;

/** Pretty JSON with secrets masked and large values folded, each with its own "show more". */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  return (
    // Focusable: a long value scrolls, and keyboard users must be able to scroll it too.
    <pre className="json" aria-label={label} tabIndex={0}>
      <JsonNode value={maskSecrets(value)} indent={0} />
    </pre>
  );
}

function JsonNode({ value, indent }: { value: unknown; indent: number }): ReactNode {
  if (typeof value === 'string') return <JsonString value={value} />;
  if (value === null || typeof value !== 'object') return <span className="json-lit">{JSON.stringify(value) ?? 'null'}</span>;
  const entries: [string | null, unknown][] = Array.isArray(value) ? value.map((v) => [null, v]) : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return <span>{open + close}</span>;
  return <JsonEntries entries={entries} open={open} close={close} indent={indent} />;
}

function JsonEntries({ entries, open, close, indent }: { entries: [string | null, unknown][]; open: string; close: string; indent: number }) {
  const [expanded, setExpanded] = useState(false);
  const shown = expanded ? entries : entries.slice(0, FOLD_ITEMS_AT);
  const pad = '  '.repeat(indent + 1);
  return (
    <>
      {open}
      {'\n'}
      {shown.map(([k, v], i) => (
        <span key={k ?? i}>
          {pad}
          {k !== null && (
            <>
              <span className="json-key">{JSON.stringify(k)}</span>:{' '}
            </>
          )}
          <JsonNode value={v} indent={indent + 1} />
          {i < entries.length - 1 ? ',' : ''}
          {'\n'}
        </span>
      ))}
      {shown.length < entries.length && (
        <>
          {pad}
          <button type="button" className="link-button" onClick={() => setExpanded(true)}>
            show {entries.length - shown.length} more
          </button>
          {'\n'}
        </>
      )}
      {'  '.repeat(indent)}
      {close}
    </>
  );
}

function JsonString({ value }: { value: string }) {
  const [expanded, setExpanded] = useState(false);
  if (value === MASK) return <span className="json-masked" title="hidden: looks like a credential">{MASK}</span>;
  const folded = !expanded && value.length > FOLD_STRING_AT;
  return (
    <>
      <span className="json-str">{JSON.stringify(folded ? value.slice(0, FOLD_STRING_AT) : value)}</span>
      {folded && (
        <>
          {'… '}
          <button type="button" className="link-button" onClick={() => setExpanded(true)}>
            show more ({formatSize(value.length)})
          </button>
        </>
      )}
    </>
  );
}

const formatSize = (n: number) => (n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} chars`);
