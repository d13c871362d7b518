import { readFileSync } from 'node:fs';
import { differs, mapTraceEvent } from '../../shared/replay/map-event.js';
import { parseTrace } from '../../shared/replay/trace.js';
import type { ActionEvent } from '../../shared/events/action-event.js';
import type { Decision } from '../../shared/events/verdict.js';
import { loadPolicyForRuntime } from '../policy/load-policy.js';
import { ActionRuntime } from '../runtime/action-runtime.js';
import { MemoryBackend } from '../runtime/memory-backend.js';

export interface ReplayResult {
  event: ActionEvent;
  line: number;
  capability: string;
  originalDecision: string | null;
  decision: Decision;
  reason: string;
  authorized: boolean;
  differs: boolean;
  rule: string | null;
}

export interface ReplaySummary {
  totalEvents: number;
  authorized: number;
  /** Not authorized: denied or waiting for approval, as the original counts it. */
  blocked: number;
  requireApproval: number;
  diffsDetected: number;
  results: ReplayResult[];
  warnings: string[];
}

/**
 * Replays recorded traces against a policy in a sandbox: an in-memory runtime with no grants and
 * no approvals (the original copied live grants from its default database into the sandbox,
 * which made replays depend on the machine), so results depend only on trace and policy.
 */
export class ReplayEngine {
  /** Simulates `policyPath` over the events of `tracePath`. Throws on an unreadable trace or policy. */
  async simulatePolicy(opts: { tracePath: string; policyPath: string }): Promise<ReplaySummary> {
    const trace = parseTrace(readFileSync(opts.tracePath, 'utf8'));
    const runtime = ActionRuntime.fromLoaded(loadPolicyForRuntime(opts.policyPath), { backend: new MemoryBackend() });
    return replayEvents(runtime, trace.events, trace.lines, trace.warnings);
  }
}

/** Replays already parsed trace events through a runtime, in trace order. */
export async function replayEvents(runtime: ActionRuntime, events: readonly Record<string, unknown>[], lines: readonly number[], warnings: string[] = []): Promise<ReplaySummary> {
  const results: ReplayResult[] = [];
  const dropped = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const mapped = mapTraceEvent(events[i] as Record<string, unknown>);
    for (const k of mapped.droppedKeys) dropped.add(k);
    const v = await runtime.execute(mapped.event);
    results.push({
      event: mapped.event,
      line: lines[i] ?? i + 1,
      capability: v.capability,
      originalDecision: mapped.originalDecision ?? null,
      decision: v.decision,
      reason: v.reason,
      authorized: v.authorized,
      differs: differs(v.authorized, mapped.originalDecision),
      rule: v.explanation.rule,
    });
  }
  if (dropped.size > 0) warnings.push(`ignored keys the event model has no place for: ${[...dropped].sort().join(', ')}`);
  return {
    totalEvents: results.length,
    authorized: results.filter((r) => r.authorized).length,
    blocked: results.filter((r) => !r.authorized).length,
    requireApproval: results.filter((r) => r.decision === 'require_approval').length,
    diffsDetected: results.filter((r) => r.differs).length,
    results,
    warnings,
  };
}
