import { jsonOut } from '../cli/json-out.js';
import { VERSION } from '../version.js';
import type { ScanReport } from './types.js';

const HELP = 'Wrap the tool with gate() or its framework adapter (gateVercelTool, gateOpenAITool, gateLangChainTool, gateMcpServer); see the README section "Wrap any tool".';

/** Counts of a report. */
export function summary(r: ScanReport): { total: number; gated: number; ungated: number } {
  const gated = r.tools.filter((t) => t.gated).length;
  return { total: r.tools.length, gated, ungated: r.tools.length - gated };
}

/** Readable text: ungated tools first, each `file:line:col  framework  name`, then the gated ones. */
export function textReport(r: ScanReport): string {
  const s = summary(r);
  const out: string[] = [`capfence check: ${r.filesScanned} file(s) scanned, ${s.total} tool(s): ${s.gated} gated, ${s.ungated} ungated`, ''];
  const rows = [...r.tools.filter((t) => !t.gated), ...r.tools.filter((t) => t.gated)];
  const locW = Math.max(0, ...rows.map((t) => `${t.file}:${t.line}:${t.column}`.length));
  const fwW = Math.max(0, ...rows.map((t) => t.framework.length));
  for (const t of rows) {
    const loc = `${t.file}:${t.line}:${t.column}`.padEnd(locW);
    out.push(`${t.gated ? 'gated  ' : 'UNGATED'}  ${loc}  ${t.framework.padEnd(fwW)}  ${t.name}${t.gated && t.gatedBy ? `  (${t.gatedBy})` : ''}`);
  }
  for (const k of r.skipped) out.push(`skipped  ${k.file}: ${k.reason}`);
  if (rows.length || r.skipped.length) out.push('');
  if (s.ungated > 0) out.push(`${s.ungated} ungated tool(s): wrap each with gate() or its framework's adapter (README, "Wrap any tool").`);
  else out.push(s.total > 0 ? 'All tools are gated.' : 'No agent tools found.');
  return `${out.join('\n')}\n`;
}

/** JSON: counts, every tool (gated or not) and skipped files, in snake_case like the other JSON outputs. */
export function jsonReport(r: ScanReport): string {
  const s = summary(r);
  return `${jsonOut({
    files_scanned: r.filesScanned,
    total: s.total,
    gated: s.gated,
    ungated: s.ungated,
    tools: r.tools.map((t) => ({ name: t.name, file: t.file, line: t.line, column: t.column, language: t.language, framework: t.framework, is_wrapped: t.gated, ...(t.gatedBy ? { gated_by: t.gatedBy } : {}) })),
    skipped: r.skipped,
  })}\n`;
}

/** SARIF 2.1.0 for code-scanning UIs: one result per ungated tool, located by file, line and column. */
export function sarifReport(r: ScanReport, level: 'error' | 'warning' = 'warning'): string {
  const ungated = r.tools.filter((t) => !t.gated);
  return `${jsonOut({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'capfence',
            version: VERSION,
            rules: [
              {
                id: 'capfence/ungated-tool',
                name: 'UngatedAgentTool',
                shortDescription: { text: 'Agent tool not gated by CapFence' },
                fullDescription: { text: 'An agent tool definition runs without a CapFence policy decision. Wrap it with gate() or its framework adapter so every call is judged, audited and, where the policy says so, approved before it runs.' },
                help: { text: HELP },
                defaultConfiguration: { level },
              },
            ],
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `file://${r.root.replace(/\\/g, '/').replace(/\/?$/, '/')}` } },
        results: ungated.map((t) => ({
          ruleId: 'capfence/ungated-tool',
          ruleIndex: 0,
          level,
          message: { text: `${t.framework} tool \`${t.name}\` is not gated by CapFence` },
          locations: [{ physicalLocation: { artifactLocation: { uri: t.file, uriBaseId: 'SRCROOT' }, region: { startLine: t.line, startColumn: t.column } } }],
          properties: { framework: t.framework, language: t.language },
        })),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: r.skipped.map((k) => ({ level: 'note', message: { text: `${k.file}: ${k.reason}` } })) }],
      },
    ],
  })}\n`;
}
