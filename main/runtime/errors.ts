import type { ExecutionVerdict } from '../../shared/events/verdict.js';

/**
 * Thrown where an agent action was not allowed to run: a deny, an approval that did not come,
 * or any failure while judging it (fail closed). Carries the verdict that stopped it.
 */
export class AgentActionBlocked extends Error {
  override name = 'AgentActionBlocked';
  /** The verdict that stopped the action (`decision` is `deny` or `require_approval`). */
  readonly verdict: ExecutionVerdict;

  constructor(detail: string, verdict: ExecutionVerdict, options?: { cause?: unknown }) {
    super(detail, options);
    this.verdict = verdict;
  }

  /** The original's name for the verdict (`AgentActionBlocked.gate_result`). */
  get gateResult(): ExecutionVerdict {
    return this.verdict;
  }
}
