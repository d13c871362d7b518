// Environment: node. Pure mapping rules and the line framing, in-process.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCapability } from '../../../shared/policy/capability.js';
import { LineTransport } from '../../../main/mcp/line-transport.js';
import { MalformedMessageError } from '../../../main/mcp/malformed.js';
import { serverNameFromCommand } from '../../../main/mcp/stdio-gateway.js';
import { defaultToolCapability, legacyToolCapability, mappedCapability, toolCapability } from '../../../main/mcp/tool-capability.js';

describe('tool → capability', () => {
  const mcp = {
    github: { create_issue: 'issues.create', 'delete_*': 'repo.delete', '*': 'github.other' },
    'fs-*': { 'read_*': 'files.read' },
    '*': { ping: 'net.ping' },
  };

  it('uses the policy mapping: exact names first, then patterns in file order, then other server entries', () => {
    expect(mappedCapability(mcp, 'github', 'create_issue')).toBe('issues.create');
    expect(mappedCapability(mcp, 'github', 'delete_repo')).toBe('repo.delete');
    expect(mappedCapability(mcp, 'github', 'list_prs')).toBe('github.other');
    expect(mappedCapability(mcp, 'fs-home', 'read_file')).toBe('files.read');
    expect(mappedCapability(mcp, 'fs-home', 'ping')).toBe('net.ping');
    expect(mappedCapability(mcp, 'fs-home', 'write_file')).toBeUndefined();
    expect(mappedCapability(mcp, 'Github', 'create_issue')).toBeUndefined();
  });

  it('defaults to mcp.<server>.<tool> with characters that would change the capability replaced', () => {
    expect(defaultToolCapability('everything', 'get-sum')).toBe('mcp.everything.get-sum');
    const odd = defaultToolCapability('my.server', 'a.b*c d/é');
    expect(odd).toBe('mcp.my_server.a_b_c_d__');
    const parsed = parseCapability(odd);
    expect(parsed.ok && parsed.value).toEqual({ resource: 'mcp', action: 'my_server', scope: 'a_b_c_d__' });
    expect(defaultToolCapability('', '')).toBe('mcp._._');
    expect(toolCapability(mcp, 'other', 'x')).toEqual({ capability: 'mcp.other.x', source: 'default' });
    expect(toolCapability(mcp, 'github', 'create_issue', { legacy: true })).toEqual({ capability: 'issues.create', source: 'policy' });
  });

  it('reproduces the original name guessing under the legacy flag, `sh` substring bug included', () => {
    expect(legacyToolCapability('run_command')).toEqual({ capability: 'shell.execute', riskCategory: 'command_execution' });
    for (const name of ['publish_post', 'push_branch', 'finish', 'cash_out', 'show_status']) expect(legacyToolCapability(name).capability).toBe('shell.execute');
    expect(legacyToolCapability('truncate_table').capability).toBe('shell.execute');
    expect(legacyToolCapability('send_email')).toEqual({ capability: 'payments.transfer', riskCategory: 'payment_initiation' });
    expect(legacyToolCapability('delete_file').capability).toBe('filesystem.delete');
    expect(legacyToolCapability('update_row').capability).toBe('filesystem.write');
    expect(legacyToolCapability('get_weather')).toEqual({ capability: 'filesystem.read', riskCategory: 'read_only' });
    expect(legacyToolCapability('admin_list_users').capability).toBe('filesystem.read');
    expect(legacyToolCapability('echo')).toEqual({ capability: 'mcp.tool.execute', riskCategory: undefined });
    expect(toolCapability({}, 'everything', 'echo', { legacy: true })).toEqual({ capability: 'mcp.tool.execute', source: 'legacy' });
  });

  it('names a server after its command line', () => {
    expect(serverNameFromCommand(['npx', '-y', '@modelcontextprotocol/server-filesystem', '/tmp'])).toBe('server-filesystem');
    expect(serverNameFromCommand(['node', '/x/node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'])).toBe('server-everything');
    expect(serverNameFromCommand(['uvx', 'mcp-server-git@1.2'])).toBe('mcp-server-git');
    expect(serverNameFromCommand(['/usr/local/bin/github-mcp-server', 'stdio'])).toBe('github-mcp-server');
  });
});

describe('line framing', () => {
  const setup = (maxLineBytes?: number) => {
    const input = new PassThrough();
    const output = new PassThrough();
    const t = new LineTransport(input, output, maxLineBytes !== undefined ? { maxLineBytes } : {});
    const messages: unknown[] = [];
    const errors: MalformedMessageError[] = [];
    t.onmessage = (m) => void messages.push(m);
    t.onerror = (e) => void (e instanceof MalformedMessageError && errors.push(e));
    let closed = false;
    t.onclose = () => (closed = true);
    return { input, output, t, messages, errors, closed: () => closed };
  };
  const tick = () => new Promise((r) => setImmediate(r));

  it('reassembles split lines, accepts CRLF and skips blank lines', async () => {
    const s = setup();
    await s.t.start();
    s.input.write('{"jsonrpc":"2.0",');
    s.input.write('"method":"a"}\r\n\n{"jsonrpc":"2.0","method":"b"}\n{"jsonrpc":"2.0","method":"c"');
    await tick();
    expect(s.messages).toEqual([
      { jsonrpc: '2.0', method: 'a' },
      { jsonrpc: '2.0', method: 'b' },
    ]);
    s.input.write('}\n');
    await tick();
    expect(s.messages).toHaveLength(3);
  });

  it('reports bad and oversized lines with the id it can read, then goes on', async () => {
    const s = setup(64);
    await s.t.start();
    s.input.write('nope\n{"jsonrpc":"2.0","id":"q1","method":"tools/call",\n');
    s.input.write(`{"jsonrpc":"2.0","id":42,"method":"x","params":{"pad":"${'z'.repeat(40)}`);
    s.input.write(`${'z'.repeat(100)}"}}\n{"jsonrpc":"2.0","method":"after"}\n`);
    await tick();
    expect(s.errors.map((e) => [e.code, e.id, e.hadMethod])).toEqual([
      [-32700, undefined, false],
      [-32700, 'q1', true],
      [-32600, 42, true],
    ]);
    expect(s.messages).toEqual([{ jsonrpc: '2.0', method: 'after' }]);
  });

  it('closes when its input ends', async () => {
    const s = setup();
    await s.t.start();
    s.input.end();
    await tick();
    expect(s.closed()).toBe(true);
  });
});
