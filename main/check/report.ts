import { jsonOut } from '../cli/json-out.js';
import { VERSION } from '../version.js';
import type { ScanReport, ToolFinding } from './types.js';

const HELP = 'Wrap the tool with gate() or its framework adapter (gateVercelTool, gateOpenAITool, gateLangChainTool, gateMcpServer); see the README section "Wrap any tool".';

// `gateMcpServer` wraps `registerTool`, which a low-level request handler never goes through, so the
// fix for a handler is `gate()` around the handler itself.
const TS_HANDLER_FIX = "wrap the handler with gate(): `server.setRequestHandler(CallToolRequestSchema, gate(handler, { runtime, actor, toCapability: (request) => request.params.name + '.execute', toPayload: (request) => request.params.arguments ?? {} }))`";
const PY_HANDLER_FIX = 'put `@capfence_guard(...)` below `@server.call_tool()`, so the server registers the guarded function';
const HANDLER_HELP = `An MCP tools/call handler runs every tool of its server. TypeScript: ${TS_HANDLER_FIX}. Python: ${PY_HANDLER_FIX}. gateMcpServer does not cover request handlers.`;

const RULES = {
  tool: { id: 'capfence/ungated-tool', index: 0 },
  'call-handler': { id: 'capfence/ungated-tool-handler', index: 1 },
} as const;

/** What SARIF says of one ungated finding: what runs ungated and, for a handler, how to gate it. */
function sarifMessage(t: ToolFinding): string {
  if (t.kind === 'tool') return `${t.framework} tool \`${t.name}\` is not gated by CapFence`;
  const fix = t.language === 'python' ? PY_HANDLER_FIX : TS_HANDLER_FIX;
  const what = t.language === 'python' ? `tools/call handler \`${t.name}\`` : 'tools/call handler';
  return `${t.framework} ${what} runs every tool of its server without a CapFence gate: ${fix}`;
}

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
    const kind = t.kind === 'call-handler' ? '  [tools/call handler: runs every tool]' : '';
    out.push(`${t.gated ? 'gated  ' : 'UNGATED'}  ${loc}  ${t.framework.padEnd(fwW)}  ${t.name}${kind}${t.gated && t.gatedBy ? `  (${t.gatedBy})` : ''}`);
  }
  for (const k of r.skipped) out.push(`skipped  ${k.file}: ${k.reason}`);
  if (rows.length || r.skipped.length) out.push('');
  if (s.ungated > 0) out.push(`${s.ungated} ungated tool(s): wrap each with gate() or its framework's adapter (README, "Wrap any tool").`);
  else out.push(s.total > 0 ? 'All tools are gated.' : 'No agent tools found.');
  const handlers = r.tools.filter((t) => !t.gated && t.kind === 'call-handler');
  if (handlers.some((t) => t.language !== 'python')) out.push(`MCP tools/call handlers (TypeScript/JavaScript): ${TS_HANDLER_FIX}.`);
  if (handlers.some((t) => t.language === 'python')) out.push(`MCP tools/call handlers (Python): ${PY_HANDLER_FIX}.`);
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
    tools: r.tools.map((t) => ({ name: t.name, file: t.file, line: t.line, column: t.column, language: t.language, framework: t.framework, kind: t.kind, is_wrapped: t.gated, ...(t.gatedBy ? { gated_by: t.gatedBy } : {}) })),
    skipped: r.skipped,
  })}\n`;
}

/** SARIF 2.1.0 for code-scanning UIs: one result per ungated tool or tools/call handler, located by file, line and column. */
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
                id: RULES.tool.id,
                name: 'UngatedAgentTool',
                shortDescription: { text: 'Agent tool not gated by CapFence' },
                fullDescription: { text: 'An agent tool definition runs without a CapFence policy decision. Wrap it with gate() or its framework adapter so every call is judged, audited and, where the policy says so, approved before it runs.' },
                help: { text: HELP },
                defaultConfiguration: { level },
              },
              {
                id: RULES['call-handler'].id,
                name: 'UngatedToolCallHandler',
                shortDescription: { text: 'MCP tools/call handler not gated by CapFence' },
                fullDescription: { text: "An MCP server's tools/call request handler (the SDKs' low-level server API) runs every tool of the server without a CapFence policy decision. Gate the handler itself so every call is judged, audited and, where the policy says so, approved before it runs." },
                help: { text: HANDLER_HELP },
                defaultConfiguration: { level },
              },
            ],
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `file://${r.root.replace(/\\/g, '/').replace(/\/?$/, '/')}` } },
        results: ungated.map((t) => ({
          ruleId: RULES[t.kind].id,
          ruleIndex: RULES[t.kind].index,
          level,
          message: { text: sarifMessage(t) },
          locations: [{ physicalLocation: { artifactLocation: { uri: t.file, uriBaseId: 'SRCROOT' }, region: { startLine: t.line, startColumn: t.column } } }],
          properties: { framework: t.framework, language: t.language, kind: t.kind },
        })),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: r.skipped.map((k) => ({ level: 'note', message: { text: `${k.file}: ${k.reason}` } })) }],
      },
    ],
  })}\n`;
}
