// @vitest-environment node
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../../main/check/scan.js';
import type { ScanReport } from '../../../main/check/types.js';

const ROOT = join(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/check');

/** Findings as `file:line:col framework kind name gated|UNGATED`, in report order. */
const rows = (r: ScanReport): string[] => r.tools.map((t) => `${t.file}:${t.line}:${t.column} ${t.framework} ${t.kind} ${t.name} ${t.gated ? 'gated' : 'UNGATED'}`);

describe('capfence check on MCP low-level tools/call handlers (TypeScript, JavaScript)', () => {
  const report = scan(join(FIXTURES, 'mcp-lowlevel'));

  it('finds setRequestHandler(CallToolRequestSchema, ...) however the schema is imported: named, renamed, namespace, require()', () => {
    expect(rows(report)).toEqual([
      'aliased.ts:5:3 mcp call-handler tools/call UNGATED',
      'commonjs.cjs:5:1 mcp call-handler tools/call UNGATED',
      // gateMcpServer on the McpServer does not reach a handler set on its underlying server.
      'namespace.ts:8:1 mcp call-handler tools/call UNGATED',
      'server.ts:10:1 mcp call-handler tools/call UNGATED',
      'server.ts:16:1 mcp call-handler tools/call gated',
      'server.ts:19:1 mcp call-handler tools/call gated',
      'server.ts:23:1 mcp call-handler tools/call UNGATED',
    ]);
    expect(report.skipped).toEqual([]);
  });

  it('counts a gate around the handler, in place or through the binding that holds it', () => {
    const gatedBy = report.tools.filter((t) => t.gated).map((t) => t.gatedBy);
    expect(gatedBy).toEqual(['gate() at server.ts:16', 'gate() at server.ts:18']);
  });

  it('ignores ListToolsRequestSchema handlers, strings, comments, local schemas and shadowed names', () => {
    expect(report.tools.filter((t) => t.file === 'unrelated.ts')).toEqual([]);
    expect(report.tools.filter((t) => t.file === 'server.ts').map((t) => t.line)).not.toContain(8);
    expect(report.tools.filter((t) => t.line >= 25)).toEqual([]);
  });

  it('is reported as the mcp framework, so --framework mcp keeps it', () => {
    expect(scan(join(FIXTURES, 'mcp-lowlevel'), { frameworks: ['vercel-ai'] }).tools).toEqual([]);
    expect(scan(join(FIXTURES, 'mcp-lowlevel'), { frameworks: ['mcp'] }).tools).toHaveLength(7);
  });
});

describe('capfence check on Python MCP servers', () => {
  const report = scan(join(FIXTURES, 'mcp-python'));

  it('finds @server.call_tool() handlers under any server name, multi-line, in a class; FastMCP tools through an aliased, annotated FastMCP', () => {
    expect(rows(report)).toEqual([
      'fast.py:8:1 mcp tool lookup UNGATED',
      'fast.py:16:1 mcp tool pay gated',
      'fast.py:22:1 mcp tool shell UNGATED',
      'guarded.py:12:1 mcp call-handler dispatch gated',
      'guarded.py:19:1 mcp call-handler late_guard UNGATED',
      'guarded.py:27:5 mcp call-handler on_call UNGATED',
      'lowlevel.py:17:1 mcp call-handler handle_call_tool UNGATED',
    ]);
    expect(report.skipped).toEqual([]);
  });

  it('a @capfence_guard gates an MCP registration only below the registering decorator; CapFenceTool(tool=name) does not', () => {
    expect(report.tools.find((t) => t.name === 'dispatch')?.gatedBy).toBe('@capfence_guard at guarded.py:11');
    expect(report.tools.find((t) => t.name === 'pay')?.gatedBy).toBe('@capfence_guard at fast.py:15');
    expect(report.tools.find((t) => t.name === 'late_guard')?.gated).toBe(false);
    expect(report.tools.find((t) => t.name === 'shell')?.gated).toBe(false);
    expect(report.tools.find((t) => t.name === 'on_call')?.gated).toBe(false);
  });

  it('ignores @server.list_tools(), call_tool method calls and definitions, docstrings, comments and strings', () => {
    expect(report.tools.filter((t) => t.file === 'lowlevel.py').map((t) => t.name)).toEqual(['handle_call_tool']);
  });

  it('still finds FastMCP tools on a server named `mcp`, and keeps the original rule for other frameworks', () => {
    const py = scan(join(FIXTURES, 'python'));
    expect(rows(py).filter((r) => r.includes(' mcp '))).toEqual(['agents.py:45:1 mcp tool read_file UNGATED', 'agents.py:50:1 mcp tool write_file UNGATED']);
    expect(py.tools.find((t) => t.name === 'shell')?.gatedBy).toBe('@capfence_guard at agents.py:54');
  });
});
