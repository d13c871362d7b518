import { useId, useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { toQueryFilter } from '../../state/audit.js';
import { useConsole } from '../../state/store.js';

/** Offers text to the user as a file download (a Blob URL: nothing leaves the machine). */
export function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Exports the entries matching the current filter as JSONL or CSV. */
export function ExportMenu() {
  const api = useApi();
  const [format, setFormat] = useState<'jsonl' | 'csv'>('jsonl');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const id = useId();
  return (
    <div className="export">
      <label htmlFor={id} className="visually-hidden">
        Export format
      </label>
      <select id={id} value={format} onChange={(e) => setFormat(e.target.value as 'jsonl' | 'csv')}>
        <option value="jsonl">JSONL</option>
        <option value="csv">CSV</option>
      </select>
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const res = await api['audit:export']({ ...toQueryFilter(useConsole.getState().audit.filter), format });
          setBusy(false);
          if (!res.ok) return setStatus(`export failed: ${res.error.message}`);
          downloadText(res.value.filename, res.value.text, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
          setStatus(`${res.value.count.toLocaleString()} entries exported`);
        }}
      >
        {busy ? 'Exporting…' : 'Export'}
      </button>
      {status && (
        <span className="muted small" role="status">
          {status}
        </span>
      )}
    </div>
  );
}
