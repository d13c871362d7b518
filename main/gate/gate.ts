import { failureExplanation, type ExecutionVerdict } from '../../shared/events/verdict.js';
import type { ActionRuntime, CallRequest } from '../runtime/action-runtime.js';
import { AgentActionBlocked } from '../runtime/errors.js';

/** Marks a function or tool object as wrapped by CapFence (what `isGated` and the adapters check). */
export const GATED: unique symbol = Symbol.for('capfence.gated') as never;

/** How a tool call is judged: which capability it exercises, for whom, and how long to wait for a person. */
export interface GateOptions<I = unknown> {
  runtime: ActionRuntime;
  /** Who acts: the agent's id as the policy and the audit log see it. */
  actor: string;
  /** The capability every call exercises (`payment.transfer.prod`); or compute it with `toCapability`. */
  capability?: string | undefined;
  /** The capability of one call, from its input (the tool's first argument). */
  toCapability?: ((input: I) => string) | undefined;
  /** The payload conditions see and approvals bind to; default: the input object (a string becomes `{input}`). */
  toPayload?: ((input: I) => Record<string, unknown>) | undefined;
  /** The tool's name in the audit log and the approval queue (default: the function's name, else the capability). */
  tool?: string | undefined;
  environment?: string | undefined;
  sessionId?: string | undefined;
  /** Extra condition context (`user_role`, `tenant`, ...); `actor`, `environment` and `tool_name` are filled in. */
  context?: Record<string, unknown> | undefined;
  /**
   * How long a `require_approval` call waits for a person, in milliseconds. 0 (the default) throws
   * `AgentActionBlocked` at once with the pending approval's id in `verdict.approvalId`; the
   * identical call made again after approval runs once.
   */
  waitForApprovalMs?: number | undefined;
  /** Stops a wait for approval (the call is then blocked). */
  signal?: AbortSignal | undefined;
}

/** `fn`, judged by the runtime before every call; resolves to its result or throws `AgentActionBlocked`. */
export type Gated<F extends (...args: never[]) => unknown> = ((...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>) & {
  readonly [GATED]: true;
};

/** Per-call facts an adapter knows better than the options (a framework's abort signal, the tool's name). */
export interface CallFacts {
  signal?: AbortSignal | undefined;
  tool?: string | undefined;
}

/** True when `value` was produced by `gate()` or an adapter. */
export function isGated(value: unknown): boolean {
  return (typeof value === 'function' || (typeof value === 'object' && value !== null)) && (value as { [GATED]?: unknown })[GATED] === true;
}

/** Marks `value` as gated (non-enumerable, so spreading a tool does not copy the mark onto an ungated copy). */
export function markGated<T extends object>(value: T): T {
  Object.defineProperty(value, GATED, { value: true, enumerable: false, configurable: false, writable: false });
  return value;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** The original's `_build_payload`: an object is copied, a string becomes `{input}`, nothing is `{}`. */
export function defaultPayload(input: unknown): Record<string, unknown> {
  if (input === undefined) return {};
  if (isPlainObject(input)) return { ...input };
  return { input };
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A deny verdict for a failure inside the gate itself (no policy rule decided it). */
function failedVerdict(capability: string, reason: string, policyId: string): ExecutionVerdict {
  return {
    authorized: false,
    decision: 'deny',
    reason,
    capability,
    riskScore: 0.5,
    latencyMs: 0,
    explanation: failureExplanation(policyId, reason),
  };
}

function policyIdOf(runtime: ActionRuntime): string {
  try {
    return runtime.policy.policy.id;
  } catch {
    return 'unknown';
  }
}

/** The call request for one input; throws on a capability or payload the options cannot produce. */
export function callRequest<I>(opts: GateOptions<I>, input: I, facts: CallFacts = {}): CallRequest {
  const capability = opts.toCapability ? opts.toCapability(input) : opts.capability;
  if (typeof capability !== 'string' || capability.trim() === '') {
    throw new TypeError(`no capability for this call (got \`${String(capability)}\`)`);
  }
  const payload = opts.toPayload ? opts.toPayload(input) : defaultPayload(input);
  if (!isPlainObject(payload)) throw new TypeError('`toPayload` must return a plain object');
  const tool = facts.tool ?? opts.tool ?? capability;
  const environment = opts.environment ?? 'development';
  return {
    actor: opts.actor,
    capability,
    tool,
    payload,
    environment,
    context: { actor: opts.actor, environment, tool_name: tool, ...opts.context },
    ...(opts.sessionId ? { sessionId: opts.sessionId } : {}),
  };
}

/**
 * Judges one call and returns the verdict when it may run; throws `AgentActionBlocked` otherwise.
 * Every failure (a bad capability, a store error, an abort) is a block, never a pass.
 */
export async function authorize<I>(opts: GateOptions<I>, input: I, facts: CallFacts = {}): Promise<ExecutionVerdict> {
  let verdict: ExecutionVerdict;
  let capability = opts.capability ?? 'unknown';
  try {
    const req = callRequest(opts, input, facts);
    capability = req.capability;
    const signal = facts.signal ?? opts.signal;
    verdict = await opts.runtime.decideCall(req, {
      ...(opts.waitForApprovalMs && opts.waitForApprovalMs > 0 ? { waitForApproval: opts.waitForApprovalMs } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    // A call that could not even be judged is still on the record, like every other deny.
    const reason = `gate_error:${errorText(e)}`;
    const denied = await opts.runtime.refuse({ actor: opts.actor, capability, tool: opts.tool ?? capability, payload: {} }, reason).catch(() => failedVerdict(capability, reason, policyIdOf(opts.runtime)));
    throw new AgentActionBlocked(`Blocked: ${denied.reason}`, denied, { cause: e });
  }
  // Observe mode authorizes what it would have blocked; the verdict still says what that was.
  if (verdict.authorized) return verdict;
  if (verdict.decision === 'require_approval') {
    throw new AgentActionBlocked(`Approval required: ${verdict.reason}${verdict.approvalId ? ` (approval \`${verdict.approvalId}\`)` : ''}`, verdict);
  }
  throw new AgentActionBlocked(`Blocked: ${verdict.reason}`, verdict);
}

/** The error for a call that could not be judged: a deny that names the cause. */
export function blockedByError(opts: Pick<GateOptions<never>, 'runtime'>, capability: string, cause: unknown): AgentActionBlocked {
  const denied = failedVerdict(capability, `gate_error:${errorText(cause)}`, policyIdOf(opts.runtime));
  return new AgentActionBlocked(`Blocked: ${denied.reason}`, denied, { cause });
}

/** The arguments to run with: the approver's edit of the input when there is one. */
function argsAfter<I>(opts: GateOptions<I>, verdict: ExecutionVerdict, args: unknown[]): unknown[] {
  if (!verdict.editedArguments) return args;
  // An edit can only be applied where the payload is the input itself; anywhere else we cannot know
  // what the approver meant, so the call does not run.
  if (opts.toPayload || !(args.length === 0 || isPlainObject(args[0]))) {
    const denied = { ...verdict, authorized: false, decision: 'deny' as const, reason: 'gate_error:approved_with_edited_arguments_that_cannot_be_applied' };
    throw new AgentActionBlocked(`Blocked: ${denied.reason}`, denied);
  }
  return [{ ...verdict.editedArguments }, ...args.slice(1)];
}

/** Judges, then runs `fn` with the (possibly approver-edited) arguments. Errors of `fn` itself pass through. */
export async function runGated<I, R>(opts: GateOptions<I>, fn: (...args: unknown[]) => R, args: unknown[], facts: CallFacts = {}): Promise<Awaited<R>> {
  const verdict = await authorize(opts, args[0] as I, facts);
  return await fn(...argsAfter(opts, verdict, args));
}

/** Checks options once, when a tool is wrapped: a gate with nothing to decide on is a programming error. */
export function checkGateOptions(opts: GateOptions<never> | undefined, where: string): void {
  if (!opts || typeof opts !== 'object') throw new TypeError(`${where}: options are required`);
  if (!opts.runtime || typeof (opts.runtime as { decideCall?: unknown }).decideCall !== 'function') throw new TypeError(`${where}: \`runtime\` must be an ActionRuntime`);
  if (typeof opts.actor !== 'string' || opts.actor === '') throw new TypeError(`${where}: \`actor\` must be a non-empty string`);
  if (opts.capability === undefined && opts.toCapability === undefined) throw new TypeError(`${where}: give \`capability\` or \`toCapability\``);
}

/**
 * Wraps `fn` so that every call is judged by the runtime before `fn` runs: allow runs it; deny
 * throws `AgentActionBlocked` with the verdict; require_approval waits up to `waitForApprovalMs`
 * for a person, then runs or throws. Any error while judging blocks the call.
 */
export function gate<F extends (...args: never[]) => unknown>(fn: F, opts: GateOptions<Parameters<F>[0]>): Gated<F> {
  if (typeof fn !== 'function') throw new TypeError('gate: `fn` must be a function');
  checkGateOptions(opts as GateOptions<never>, 'gate');
  const named = { ...opts, tool: opts.tool ?? (fn.name !== '' ? fn.name : undefined) };
  const gated = (...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> =>
    runGated(named as GateOptions<unknown>, fn as unknown as (...a: unknown[]) => ReturnType<F>, args);
  return markGated(gated) as Gated<F>;
}
