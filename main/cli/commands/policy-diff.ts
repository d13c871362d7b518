import { bool, parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut } from '../json-out.js';
import { compileFromDisk, readText } from '../policy-files.js';
import { parseCaseFile } from '../../../shared/policy/cases.js';
import { diffPolicies } from '../../../shared/policy/diff.js';
import { normalizeCaseEvent } from '../../../shared/policy/normalize.js';
import type { DecisionInput } from '../../../shared/policy/types.js';
import { mapTraceEvent } from '../../../shared/replay/map-event.js';
import { parseTrace } from '../../../shared/replay/trace.js';

/** Reads events from a case file or, for `.jsonl`/`.json` traces, from a trace. */
function loadEvents(text: string, path: string): { ok: true; events: { name: string; input: DecisionInput }[] } | { ok: false; error: string } {
  const isTrace = /\.jsonl$/i.test(path) || (path.toLowerCase().endsWith('.json') && text.trimStart().startsWith('['));
  if (isTrace) {
    try {
      const t = parseTrace(text);
      return { ok: true, events: t.events.map((e, i) => ({ name: String(e['id'] ?? e['call_id'] ?? `line ${t.lines[i]}`), input: mapTraceEvent(e).event.toDecisionInput() })) };
    } catch (e) {
      return { ok: false, error: `${path}: ${(e as Error).message}` };
    }
  }
  const cf = parseCaseFile(text, path);
  if (!cf.ok) return { ok: false, error: cf.error };
  return { ok: true, events: cf.value.cases.map((c) => ({ name: c.name || 'unnamed', input: normalizeCaseEvent(c.event) })) };
}

/** `capfence policy diff BEFORE AFTER EVENTS`: which verdicts a policy change flips. */
export const policyDiffCommand: Command = {
  path: ['policy', 'diff'],
  summary: 'Show which events change verdict between two policies',
  usage: 'capfence policy diff <before.yaml> <after.yaml> <cases.yaml|trace.jsonl> [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, [{ name: 'json', type: 'boolean' }], { minPositionals: 3 });
    const [beforePath, afterPath, eventsPath] = args.positionals as [string, string, string];
    const before = compileFromDisk(beforePath, io.cwd);
    const after = compileFromDisk(afterPath, io.cwd);
    for (const r of [before, after]) {
      if (!r.ok) {
        io.stderr(`${r.message}\n`);
        return ExitCode.usage;
      }
    }
    if (!before.ok || !after.ok) return ExitCode.usage;
    const t = readText(eventsPath, io.cwd);
    if (!t.ok) {
      io.stderr(`error: ${t.message}\n`);
      return ExitCode.usage;
    }
    const ev = loadEvents(t.text, eventsPath);
    if (!ev.ok) {
      io.stderr(`error: ${ev.error}\n`);
      return ExitCode.usage;
    }
    const d = diffPolicies(before.compiled, after.compiled, ev.events);
    if (bool(args, 'json')) {
      io.stdout(`${jsonOut({ before: beforePath, after: afterPath, fixture: eventsPath, ...d })}\n`);
      return ExitCode.ok;
    }
    const lines = [`[POLICY DIFF] ${beforePath} -> ${afterPath} (${d.total} events, ${d.changed} changed)`];
    if (d.changed === 0) lines.push('  No verdict changes.');
    for (const [t2, items] of Object.entries(d.transitions)) {
      lines.push(`  ${t2}: ${items.length}`);
      for (const it of items) lines.push(`    - ${it.name} (${it.capability})`);
    }
    if (d.newly_allowed.length > 0) {
      lines.push('', '[WARNING] Newly allowed side effects:');
      for (const it of d.newly_allowed) lines.push(`  - ${it.name} (${it.capability})`);
    }
    io.stdout(`${lines.join('\n')}\n`);
    return ExitCode.ok;
  },
};
