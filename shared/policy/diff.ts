import type { CompiledPolicy } from './compile.js';
import { decide } from './decide.js';
import { displayVerdict, type DecisionInput } from './types.js';

export interface DiffItem {
  name: string;
  capability: string;
  before: string;
  after: string;
}

export interface PolicyDiff {
  total: number;
  changed: number;
  /** Changed events grouped by `"<before> -> <after>"`, in first-seen order. */
  transitions: Record<string, DiffItem[]>;
  /** Events the new policy allows that the old one did not: review these first. */
  newly_allowed: DiffItem[];
}

/** Decides every event under both policies and groups the verdicts that changed. */
export function diffPolicies(before: CompiledPolicy, after: CompiledPolicy, events: readonly { name: string; input: DecisionInput }[]): PolicyDiff {
  const transitions: Record<string, DiffItem[]> = {};
  const newlyAllowed: DiffItem[] = [];
  let changed = 0;
  for (const { name, input } of events) {
    const b = displayVerdict(decide(before, input).verdict);
    const a = displayVerdict(decide(after, input).verdict);
    if (a === b) continue;
    changed++;
    const item = { name, capability: input.capability, before: b, after: a };
    (transitions[`${b} -> ${a}`] ??= []).push(item);
    if (a === 'allow') newlyAllowed.push(item);
  }
  return { total: events.length, changed, transitions, newly_allowed: newlyAllowed };
}
