import { yaml } from '@codemirror/lang-yaml';
import { syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { policyHighlight, policyTheme } from './cm-theme.js';
import { toEditorDiagnostics, type LocatedDiagnostic } from './cm-diagnostics.js';

interface PolicyCodeEditorProps {
  value: string;
  onChange: (text: string) => void;
  diagnostics: readonly LocatedDiagnostic[];
  file: string;
  /** Bumped to move the cursor to a line (clicking a diagnostic or a rule). */
  goTo: { line: number; column: number; nonce: number } | null;
}

/** The YAML editor: CodeMirror 6, with the engine's diagnostics under the exact line and column. */
export function PolicyCodeEditor({ value, onChange, diagnostics, file, goTo }: PolicyCodeEditorProps) {
  const host = useRef<HTMLDivElement | null>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          syntaxHighlighting(policyHighlight),
          lintGutter(),
          EditorView.lineWrapping,
          policyTheme,
          // tabindex makes the editable region count as keyboard-reachable for the scroller around it.
          EditorView.contentAttributes.of({ 'aria-label': 'Policy YAML', tabindex: '0' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The view is created once; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Text changed outside the editor (a table edit, discard, a save elsewhere): replace the document.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== value) v.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, toEditorDiagnostics(v.state.doc, diagnostics, file)));
  }, [diagnostics, file, value]);

  useEffect(() => {
    const v = view.current;
    if (!v || !goTo) return;
    const line = v.state.doc.line(Math.min(Math.max(1, goTo.line), v.state.doc.lines));
    const pos = Math.min(line.from + goTo.column - 1, line.to);
    v.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
    v.focus();
  }, [goTo]);

  return <div className="code-editor" ref={host} />;
}
