import { useEffect } from 'react';
import { useApi } from '../../api/api-context.js';
import { loadVersionText } from '../../state/policy-history-loader.js';
import type { VersionText } from '../../state/policy-history.js';
import { useConsole } from '../../state/store.js';

/** A recorded version's text, fetched on first use. */
export function useVersionText(hash: string): VersionText {
  const api = useApi();
  const text = useConsole((s) => s.policyHistory.texts[hash]);
  useEffect(() => void loadVersionText(api, hash), [api, hash]);
  return text ?? { state: 'loading' };
}

/** The first characters of a version hash, as the console shows them everywhere. */
export const shortHash = (hash: string): string => hash.slice(0, 10);
