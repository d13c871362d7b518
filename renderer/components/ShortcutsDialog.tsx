import { useEffect, useRef } from 'react';

const SHORTCUTS: [string, string][] = [
  ['j / ↓', 'next request'],
  ['k / ↑', 'previous request'],
  ['a', 'approve the current request'],
  ['d', 'deny: type the reason the agent will see, Enter sends'],
  ['e', 'edit the arguments, then approve'],
  ['Enter', 'open the details'],
  ['x / Space', 'select or unselect'],
  ['Shift+↓ / Shift+↑', 'select a range from the last row you moved to or selected'],
  ['Shift+click', 'select every row from there to the clicked one'],
  ['Shift+A', 'approve every selected request'],
  ['Shift+D', 'deny every selected request (reason first)'],
  ['Esc', 'clear the selection, leave a field'],
  ['1 – 4', 'Approvals, Grants, Policy, Audit'],
  ['?', 'show this help'],
];

/** The keyboard help, as a modal dialog. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d || d.open) return;
    // Where showModal is missing (older engines, jsdom) the dialog still opens, just not modal.
    if (typeof d.showModal === 'function') d.showModal();
    else d.setAttribute('open', '');
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="shortcuts-title" onClose={onClose} onCancel={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table className="table table-compact">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
