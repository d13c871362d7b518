/** The pure core: usable in any JavaScript runtime (no Node or Electron APIs). */
export { parseCapability, capabilityMatches, capabilityCovers, formatCapability, type Capability } from './policy/capability.js';
export { loadPolicyText, loadPolicyFile, type PolicyReader, type LoadResult } from './policy/load.js';
export { compilePolicy, type CompiledPolicy } from './policy/compile.js';
export { decide, explain } from './policy/decide.js';
export { lintPolicy } from './policy/lint.js';
export { diffPolicies, type PolicyDiff } from './policy/diff.js';
export { normalizeCaseEvent } from './policy/normalize.js';
export { parseCaseFile, runCase, type CaseFile, type CaseResult, type PolicyCase } from './policy/cases.js';
export { formatDiagnostic, type PolicyDiagnostic } from './policy/diagnostics.js';
export { displayVerdict, type DecisionInput, type Explanation, type Policy, type PolicyRule, type Verdict } from './policy/types.js';
export { parseTrace, traceChecksum, TraceError, type ParsedTrace } from './replay/trace.js';
export { mapTraceEvent } from './replay/map-event.js';
export type { Result, AppError, SourceLocation } from './result.js';
