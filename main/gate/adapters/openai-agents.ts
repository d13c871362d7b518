import { decide } from '../../../shared/policy/decide.js';
import { decisionOf } from '../../../shared/events/verdict.js';
import { AgentActionBlocked } from '../../runtime/errors.js';
import { authorize, blockedByError, callRequest, isGated, markGated, type GateOptions } from '../gate.js';
import { optionsFor, replaceMethod, type AdapterOptions } from './common.js';

/** What this adapter needs of an OpenAI Agents SDK `tool()` (a `FunctionTool`). */
export interface OpenAIFunctionToolLike {
  type: 'function';
  name: string;
  invoke: (runContext: never, input: string, details?: never) => Promise<unknown>;
  needsApproval: (runContext: never, input: never, callId?: string) => Promise<boolean>;
}

export interface OpenAIGateOptions extends AdapterOptions<Record<string, unknown>> {
  /**
   * Map `require_approval` to the SDK's `needsApproval` interruption (default true): the run stops
   * with an interruption the app can show, while the CapFence approval waits in the queue. Approving
   * in the SDK alone does not run the tool: on resume the call runs once the CapFence approval is
   * granted (waiting up to `waitForApprovalMs`), and is blocked otherwise.
   */
  approvalInterruption?: boolean | undefined;
}

type Invoke = (runContext: unknown, input: string, details?: { signal?: AbortSignal }) => Promise<unknown>;
type NeedsApproval = (runContext: unknown, input: unknown, callId?: string) => Promise<boolean>;

function parseInput(input: string): Record<string, unknown> {
  const value: unknown = input === '' ? {} : JSON.parse(input);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { input: value };
}

/**
 * Gates an OpenAI Agents SDK function tool in place: `invoke` is judged before the tool's
 * `execute` runs; a block throws `AgentActionBlocked` out of the run. The capability defaults to
 * `<tool.name>.execute`.
 */
export function gateOpenAITool<T extends OpenAIFunctionToolLike>(tool: T, opts: OpenAIGateOptions): T {
  const where = `gateOpenAITool(${typeof tool?.name === 'string' ? tool.name : '?'})`;
  if (typeof tool !== 'object' || tool === null || tool.type !== 'function' || typeof tool.invoke !== 'function') {
    throw new TypeError(`${where}: not a function tool (made with \`tool()\`)`);
  }
  if (isGated(tool)) return tool;
  const { approvalInterruption = true, ...rest } = opts;
  const gateOpts = optionsFor(tool.name, rest, where) as GateOptions<unknown>;
  const invoke = tool.invoke.bind(tool) as Invoke;
  const needsApproval = (typeof tool.needsApproval === 'function' ? tool.needsApproval.bind(tool) : async () => false) as NeedsApproval;

  const gatedInvoke = async (runContext: unknown, input: string, details?: { signal?: AbortSignal }): Promise<unknown> => {
    let args: Record<string, unknown>;
    try {
      args = parseInput(input);
    } catch (e) {
      // Input we cannot read is input we cannot judge.
      throw blockedByError(gateOpts, gateOpts.capability ?? tool.name, e);
    }
    const verdict = await authorize(gateOpts, args, { signal: details?.signal });
    return invoke(runContext, verdict.editedArguments ? JSON.stringify(verdict.editedArguments) : input, details);
  };
  replaceMethod(tool, 'invoke', markGated(gatedInvoke), where);

  if (approvalInterruption) {
    const gatedNeedsApproval = async (runContext: unknown, input: unknown, callId?: string): Promise<boolean> => {
      if (await needsApproval(runContext, input, callId)) return true;
      let args: unknown;
      try {
        args = typeof input === 'string' ? parseInput(input) : input;
        // A pure preview first, so calls the policy allows or denies outright are recorded once (by invoke).
        const req = callRequest(gateOpts, args);
        const preview = decisionOf(decide(gateOpts.runtime.policy.compiled, { capability: req.capability, context: req.context ?? {}, payload: req.payload }), false);
        if (preview.decision !== 'require_approval') return false;
      } catch (e) {
        // Stops the run: a call that cannot be judged does not go ahead, interrupted or not.
        throw blockedByError(gateOpts, gateOpts.capability ?? tool.name, e);
      }
      // Queue the CapFence approval now, so a person can decide while the run is interrupted. A
      // grant or an already approved identical call needs no interruption.
      try {
        await authorize({ ...gateOpts, waitForApprovalMs: 0 }, args);
        return false;
      } catch (e) {
        if (e instanceof AgentActionBlocked && e.verdict.decision === 'require_approval') return true;
        throw e;
      }
    };
    replaceMethod(tool, 'needsApproval', gatedNeedsApproval, where);
  }
  return markGated(tool);
}
