// @vitest-environment node
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main.js';
import { memoryIo } from '../../../main/cli/io.js';

const ROOT = join(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/check');

async function cli(...argv: string[]) {
  const io = memoryIo(FIXTURES);
  const code = await runCli(['check', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

describe('capfence check (CLI)', () => {
  it('prints readable text, ungated first, and exits 0 without --fail-on-ungated', async () => {
    const r = await cli('mcp');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('capfence check: 2 file(s) scanned, 8 tool(s): 4 gated, 4 ungated');
    expect(lines[2]).toMatch(/^UNGATED {2}server\.ts:9:1 +mcp {2}delete_repo$/);
    expect(r.out).toMatch(/\ngated {4}server\.ts:19:1 +mcp {2}late {2}\(gateMcpServer\(guarded\) at server\.ts:18\)\n/);
    expect(r.out).toMatch(/\ngated {4}more-tools\.ts:4:1 +mcp {2}refund {2}\(gateMcpServer\(server\) in server\.ts\)\n/);
    expect(r.out).toContain('4 ungated tool(s)');
  });

  it('exits 1 with --fail-on-ungated when a tool is ungated, 0 when all are gated', async () => {
    const bad = await cli('langchain', '--fail-on-ungated');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('CI FAILED: 3 ungated tool(s) found.');
    const good = await cli(join(ROOT, 'main'), '--fail-on-ungated');
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/No agent tools found\.|All tools are gated\./);
  });

  it('--json lists every tool with is_wrapped, and counts', async () => {
    const r = await cli('openai-agents', '--json');
    const j = JSON.parse(r.out) as { total: number; gated: number; ungated: number; tools: { name: string; file: string; line: number; framework: string; is_wrapped: boolean }[] };
    expect(j).toMatchObject({ total: 4, gated: 2, ungated: 2 });
    expect(j.tools[0]).toMatchObject({ name: 'restart_service', file: 'agent.ts', line: 12, framework: 'openai-agents', is_wrapped: false });
  });

  it('--format sarif writes SARIF 2.1.0 with one located result per ungated tool', async () => {
    const r = await cli('reexport', '--format', 'sarif', '--fail-on-ungated');
    expect(r.code).toBe(1);
    const s = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    expect(s.version).toBe('2.1.0');
    const run = s.runs[0];
    expect(run?.tool.driver.rules[0]?.id).toBe('capfence/ungated-tool');
    expect(run?.results).toHaveLength(1);
    expect(run?.results[0]).toMatchObject({ ruleId: 'capfence/ungated-tool', level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'defs.ts' }, region: { startLine: 5, startColumn: 24 } } }] });
  });

  it('--json lists MCP tools/call handlers with kind, line and column', async () => {
    const r = await cli('mcp-lowlevel', '--json');
    const j = JSON.parse(r.out) as { total: number; ungated: number; tools: Record<string, unknown>[] };
    expect(j).toMatchObject({ total: 7, ungated: 5 });
    expect(j.tools[0]).toEqual({ name: 'tools/call', file: 'aliased.ts', line: 5, column: 3, language: 'typescript', framework: 'mcp', kind: 'call-handler', is_wrapped: false });
    expect(j.tools[1]).toMatchObject({ file: 'commonjs.cjs', line: 5, column: 1, language: 'javascript', kind: 'call-handler' });
    expect(j.tools[4]).toMatchObject({ file: 'server.ts', line: 16, kind: 'call-handler', is_wrapped: true, gated_by: 'gate() at server.ts:16' });
    const py = JSON.parse((await cli('mcp-python', '--json')).out) as { tools: Record<string, unknown>[] };
    expect(py.tools).toContainEqual({ name: 'handle_call_tool', file: 'lowlevel.py', line: 17, column: 1, language: 'python', framework: 'mcp', kind: 'call-handler', is_wrapped: false });
    expect(py.tools).toContainEqual({ name: 'lookup', file: 'fast.py', line: 8, column: 1, language: 'python', framework: 'mcp', kind: 'tool', is_wrapped: false });
  });

  it('--format sarif reports ungated tools/call handlers under their own rule, with the fix in the message', async () => {
    type Sarif = { runs: { tool: { driver: { rules: { id: string; help: { text: string } }[] } }; results: { ruleId: string; ruleIndex: number; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    const ts = JSON.parse((await cli('mcp-lowlevel', '--format', 'sarif')).out) as Sarif;
    const run = ts.runs[0];
    expect(run?.tool.driver.rules.map((x) => x.id)).toEqual(['capfence/ungated-tool', 'capfence/ungated-tool-handler']);
    expect(run?.tool.driver.rules[1]?.help.text).toContain('@capfence_guard');
    expect(run?.results).toHaveLength(5);
    const aliased = run?.results[0];
    expect(aliased).toMatchObject({ ruleId: 'capfence/ungated-tool-handler', ruleIndex: 1, locations: [{ physicalLocation: { artifactLocation: { uri: 'aliased.ts' }, region: { startLine: 5, startColumn: 3 } } }] });
    expect(aliased?.message.text).toMatch(/^mcp tools\/call handler runs every tool of its server without a CapFence gate: wrap the handler with gate\(\): `server\.setRequestHandler\(CallToolRequestSchema, gate\(handler, /);
    const py = JSON.parse((await cli('mcp-python', '--format', 'sarif')).out) as Sarif;
    const results = py.runs[0]?.results ?? [];
    const handler = results.find((x) => x.locations[0]?.physicalLocation.artifactLocation.uri === 'lowlevel.py');
    expect(handler).toMatchObject({ ruleId: 'capfence/ungated-tool-handler', ruleIndex: 1, locations: [{ physicalLocation: { region: { startLine: 17, startColumn: 1 } } }] });
    expect(handler?.message.text).toContain('tools/call handler `handle_call_tool`');
    expect(handler?.message.text).toContain('put `@capfence_guard(...)` below `@server.call_tool()`');
    const fast = results.find((x) => x.locations[0]?.physicalLocation.artifactLocation.uri === 'fast.py');
    expect(fast).toMatchObject({ ruleId: 'capfence/ungated-tool', ruleIndex: 0, message: { text: 'mcp tool `lookup` is not gated by CapFence' } });
  });

  it('text names tools/call handlers and says how to gate them', async () => {
    const r = await cli('mcp-lowlevel');
    expect(r.out).toMatch(/\nUNGATED {2}server\.ts:10:1 +mcp {2}tools\/call {2}\[tools\/call handler: runs every tool\]\n/);
    expect(r.out).toContain('MCP tools/call handlers (TypeScript/JavaScript): wrap the handler with gate()');
    expect(r.out).not.toContain('(Python)');
    expect((await cli('mcp')).out).not.toContain('tools/call');
  });

  it('--framework filters; a missing path exits 2; bad options are usage errors', async () => {
    const only = JSON.parse((await cli('.', '--json', '--framework', 'crewai')).out) as { tools: { framework: string }[] };
    expect(only.tools.map((t) => t.framework)).toEqual(['crewai']);
    const missing = await cli('no/such/dir');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('path `no/such/dir` does not exist');
    expect((await cli('--format', 'xml')).code).toBe(2);
    expect((await cli('--framework', 'nope')).code).toBe(2);
  });
});
