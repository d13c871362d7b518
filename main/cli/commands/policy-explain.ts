import { relative } from 'node:path';
import { bool, parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { jsonOut, pyText } from '../json-out.js';
import { compileFromDisk, readText } from '../policy-files.js';
import { parsePyJson } from '../../../shared/py/json.js';
import { parseYaml } from '../../../shared/policy/parse.js';
import { explain } from '../../../shared/policy/decide.js';
import { normalizeCaseEvent } from '../../../shared/policy/normalize.js';
import { displayVerdict } from '../../../shared/policy/types.js';
import { pyRepr } from '../../../shared/py/repr.js';

/** Long values (a whole payload's text) are cut for the terminal; `--json` has them in full. */
const short = (v: unknown): string => {
  const t = pyRepr(v);
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
};

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `capfence policy explain POLICY EVENT`: which rule decided, and which conditions held. */
export const policyExplainCommand: Command = {
  path: ['policy', 'explain'],
  summary: 'Explain the decision for one event, rule by rule',
  usage: 'capfence policy explain <policy.yaml> <event.json|yaml> [--json]',
  async run(argv, io) {
    const args = parseArgs(argv, [{ name: 'json', type: 'boolean' }], { minPositionals: 2 });
    const [policyPath, eventPath] = args.positionals as [string, string];
    const r = compileFromDisk(policyPath, io.cwd);
    if (!r.ok) {
      io.stderr(`${r.message}\n`);
      return ExitCode.usage;
    }
    const t = readText(eventPath, io.cwd);
    if (!t.ok) {
      io.stderr(`error: ${t.message}\n`);
      return ExitCode.usage;
    }
    let data: unknown;
    if (eventPath.toLowerCase().endsWith('.json')) {
      const p = parsePyJson(t.text);
      if (!p.ok) {
        io.stderr(`error: ${eventPath}:${p.error.line}:${p.error.column}: invalid json: ${p.error.message}\n`);
        return ExitCode.usage;
      }
      data = p.value;
    } else {
      const p = parseYaml(t.text, eventPath);
      if (!p.ok) {
        io.stderr(`error: ${p.error.message}\n`);
        return ExitCode.usage;
      }
      data = p.value.value;
    }
    if (!isMapping(data)) {
      io.stderr(`error: ${eventPath}: an event file must hold a json object\n`);
      return ExitCode.usage;
    }
    // As the original: `event`, else the first case's event, else the whole file.
    const firstCase = Array.isArray(data['cases']) && isMapping(data['cases'][0]) ? data['cases'][0]['event'] : undefined;
    const event = isMapping(data['event']) ? data['event'] : isMapping(firstCase) ? firstCase : data;
    const input = normalizeCaseEvent(event);
    const e = explain(r.compiled, input);
    const final = displayVerdict(e.verdict);
    if (bool(args, 'json')) {
      io.stdout(`${jsonOut({ ...e, policy_file: policyPath, capability: input.capability, final_verdict: final })}\n`);
      return ExitCode.ok;
    }
    io.stdout(
      [
        `[POLICY EXPLAIN] ${policyPath}`,
        `  Capability:       ${input.capability}`,
        `  Final verdict:    ${final}`,
        `  Section:          ${e.section}`,
        `  Rule index:       ${pyText(e.rule_index)}`,
        `  Predicate result: ${pyText(e.predicate_result)}`,
        `  Reason:           ${e.reason}`,
        ...(e.rule ? [`  Rule:             ${e.rule}${e.location ? ` (${relative(io.cwd, e.location.file)}:${e.location.line}:${e.location.column})` : ''}`] : []),
        `  Forbidden:        ${e.forbidden ? 'yes (a deny rule matched)' : e.verdict === 'default_deny' ? 'no (no rule permits it: default deny)' : 'no'}`,
        ...e.conditions.map((c) => `    ${c.held ? '✓' : '✗'} ${c.key}: ${pyRepr(c.expected)}${c.actual !== undefined ? ` (saw ${short(c.actual)})` : ''}`),
        ...(e.considered.length ? ['  Rules that matched the capability but not their conditions:'] : []),
        ...e.considered.flatMap((t) => [
          `    ${t.rule} ${t.capability}`,
          ...t.conditions.map((c) => `      ${c.held ? '✓' : '✗'} ${c.key}: ${pyRepr(c.expected)}${c.actual !== undefined ? ` (saw ${short(c.actual)})` : ''}`),
        ]),
      ].join('\n') + '\n',
    );
    return ExitCode.ok;
  },
};
