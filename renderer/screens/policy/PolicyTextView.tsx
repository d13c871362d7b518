import { yaml } from '@codemirror/lang-yaml';
import { syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightSpecialChars, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { policyHighlight, policyTheme } from './cm-theme.js';

/** A policy's YAML, highlighted like the editor but read-only (a recorded version cannot change). */
export function PolicyTextView({ text, label }: { text: string; label: string }) {
  const host = useRef<HTMLDivElement | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: text,
        extensions: [
          lineNumbers(),
          highlightSpecialChars(),
          yaml(),
          syntaxHighlighting(policyHighlight),
          EditorView.lineWrapping,
          policyTheme,
          EditorState.readOnly.of(true),
          EditorView.editable.of(false),
          // Focusable so the keyboard can scroll it; not editable, and says so.
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-readonly': 'true', tabindex: '0' }),
        ],
      }),
    });
    return () => v.destroy();
  }, [text, label]);

  return <div className="code-editor code-readonly" ref={host} />;
}
