/**
 * The CapFence library: judge agent actions against a policy before they run.
 * `import { ActionRuntime, ActionEvent } from 'capfence'`.
 */
export { ActionRuntime, type CallRequest, type EnforcementMode, type ExecuteOptions, type RuntimeOptions } from './runtime/action-runtime.js';
export type { RuntimeBackend } from './runtime/backend.js';
export { AgentActionBlocked } from './runtime/errors.js';
export * from './gate/index.js';
export { CapFenceMCPSession, type CapFenceMCPSessionOptions } from './mcp/session.js';
export { startPolicyProxy, type PolicyProxy, type PolicyProxyOptions, type ToolCallJudge } from './mcp/proxy.js';
export { MemoryBackend } from './runtime/memory-backend.js';
export { ReplayEngine, type ReplayResult, type ReplaySummary } from './replay/replay-engine.js';
export { loadPolicyForRuntime, loadPolicyFromDisk, PolicyLoadError, type LoadedPolicy } from './policy/load-policy.js';
export { runCli } from './cli/main.js';
export { ActionEvent, EventValidationError, type ActionEventInit } from '../shared/events/action-event.js';
export type { Decision, ExecutionVerdict } from '../shared/events/verdict.js';
export * from '../shared/index.js';
