import { compilePolicy, explain, lintPolicy, loadPolicyText, normalizeCaseEvent, type Explanation, type Policy, type PolicyDiagnostic } from '../../shared/index.js';

/** What the editor knows about a draft from the shared engine alone (no round trip). */
export interface DraftAnalysis {
  /** Errors from loading and, when it loads, lint warnings. */
  diagnostics: PolicyDiagnostic[];
  policy: Policy | null;
  /** The draft names parents with `extends`, which only the main side can read. */
  hasExtends: boolean;
}

// A top-level `extends:` key (not one nested under a rule), before the YAML is even valid.
const EXTENDS_KEY = /^extends\s*:/m;

/** Loads and lints a draft in the renderer. With `extends`, only the YAML and structure are checked here. */
export function analyzeDraft(text: string, file: string): DraftAnalysis {
  const hasExtends = EXTENDS_KEY.test(text);
  const loaded = loadPolicyText(text, file);
  if (!loaded.ok) {
    // Parents cannot be read here; their absence is not the draft's error (`policy:check` decides).
    const diagnostics = hasExtends ? loaded.diagnostics.filter((d) => d.code !== 'not-found') : loaded.diagnostics;
    return { diagnostics, policy: null, hasExtends };
  }
  return { diagnostics: [...loaded.diagnostics, ...lintPolicy(loaded.policy)], policy: loaded.policy, hasExtends };
}

export interface TryEventInputs {
  capability: string;
  actor: string;
  environment: string;
  payload: string;
}

export type TryEventOutcome = { ok: true; explanation: Explanation } | { ok: false; error: string };

/**
 * Decides one hand-written event against a loaded draft, with the full explanation. The event is
 * built in the case-file form `policy test` and `policy explain` read, so answers agree with the CLI.
 */
export function tryEvent(policy: Policy, input: TryEventInputs): TryEventOutcome {
  if (!input.capability.trim()) return { ok: false, error: 'enter a capability, e.g. `payment.transfer`' };
  let payload: unknown = {};
  if (input.payload.trim()) {
    try {
      payload = JSON.parse(input.payload);
    } catch (e) {
      return { ok: false, error: `payload is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { ok: false, error: 'payload must be a JSON object' };
  const event: Record<string, unknown> = { actor: { id: input.actor.trim() || 'unknown' }, action: { capability: input.capability.trim() }, payload };
  if (input.environment.trim()) event['environment'] = input.environment.trim();
  return { ok: true, explanation: explain(compilePolicy(policy), normalizeCaseEvent(event)) };
}
