// Environment: node. Real files in temp folders; the CLI in-process; the wrapped command line is
// spawned for real (the built CLI) with an SDK client over stdio.
import { existsSync, lstatSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main.js';
import { memoryIo } from '../../../main/cli/io.js';
import { defaultConfigPath } from '../../../main/clients/client-paths.js';
import { capfenceBin } from '../../../main/clients/install.js';
import { isWrapped, wrapClientConfig } from '../../../main/clients/wrap-config.js';
import { DIST, tempHome } from '../../helpers/temp.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/clients');
const EVERYTHING = realpathSync(join(import.meta.dirname, '../../../node_modules/.bin/mcp-server-everything'));
const POLICY = 'version: 1\nallow:\n  - mcp.everything.echo\n';

type Entry = { command: string; args: string[]; env?: Record<string, string>; url?: string };
type Config = { mcpServers: Record<string, Entry> } & Record<string, unknown>;

/** A temp home with a policy and a copy of a fixture whose placeholders point at server-everything. */
function setup(fixture: string) {
  const t = tempHome('capfence-clients-');
  const policy = join(t.home, 'policy.yaml');
  writeFileSync(policy, POLICY);
  const config = join(t.home, fixture);
  const bytes = readFileSync(join(FIXTURES, fixture), 'utf8')
    .replaceAll('EVERYTHING_NODE', JSON.stringify(process.execPath).slice(1, -1))
    .replaceAll('EVERYTHING_JS', JSON.stringify(EVERYTHING).slice(1, -1));
  writeFileSync(config, bytes);
  return { ...t, policy, config, original: readFileSync(config) };
}

const cli = async (t: { home: string; env: Record<string, string | undefined> }, argv: string[]) => {
  const io = memoryIo(t.home, t.env);
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
};
const parse = (path: string): Config => JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, '')) as Config;

describe('capfence clients install / restore', () => {
  it('wraps stdio servers, keeps a byte-exact backup, is idempotent, and restores byte for byte', async () => {
    const t = setup('claude_desktop_config.odd.json');
    const install = ['clients', 'install', '--client', 'claude-desktop', '--config', t.config, '--policy', t.policy, '--db', t.db];
    const first = await cli(t, install);
    expect(first.code).toBe(0);
    expect(first.out).toContain('1 server(s) now run through CapFence');
    expect(first.out).toMatch(/url-left\s+remote/);
    expect(first.out).toMatch(/already-wrapped\s+already/);
    expect(first.out).toMatch(/skipped\s+odd/);
    expect(readFileSync(`${t.config}.capfence-backup`).equals(t.original)).toBe(true);

    const after = readFileSync(t.config);
    const text = after.toString('utf8');
    // The file's habits survive: BOM, CRLF, tabs; other keys untouched.
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toContain('\r\n\t"mcpServers"');
    const cfg = parse(t.config);
    expect(cfg['globalShortcut']).toBe('Ctrl+Space');
    expect(cfg['unicode']).toBe('✓ café');
    expect(cfg.mcpServers['remote']).toEqual({ url: 'https://mcp.example.com/sse' });
    expect(cfg.mcpServers['odd']).toBe(42);
    expect(cfg.mcpServers['already']?.args[1]).toBe('gateway');
    const e = cfg.mcpServers['everything'] as Entry;
    expect(e.command).toBe(process.execPath);
    expect(e.args).toEqual([capfenceBin(), 'gateway', '--policy', t.policy, '--db', t.db, '--server-name', 'everything', '--', process.execPath, EVERYTHING, 'stdio']);
    expect(e.env).toEqual({ GREETING: 'héllo', CAPFENCE_HOME: t.home });

    const second = await cli(t, install);
    expect(second.code).toBe(0);
    expect(second.out).toContain('nothing to change');
    expect(readFileSync(t.config).equals(after)).toBe(true);
    expect(readFileSync(`${t.config}.capfence-backup`).equals(t.original)).toBe(true);

    const restore = await cli(t, ['clients', 'restore', '--client', 'claude-desktop', '--config', t.config]);
    expect(restore.code).toBe(0);
    expect(readFileSync(t.config).equals(t.original)).toBe(true);
    expect(existsSync(`${t.config}.capfence-backup`)).toBe(false);
    const again = await cli(t, ['clients', 'restore', '--client', 'claude-desktop', '--config', t.config]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('nothing to restore');
  });

  it('handles Cursor configs, JSON output, and refuses bad input without touching the file', async () => {
    const t = setup('cursor-mcp.min.json');
    const r = await cli(t, ['clients', 'install', '--client', 'cursor', '--config', t.config, '--policy', t.policy, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { changed: boolean; servers: { name: string; action: string }[] };
    expect(report.changed).toBe(true);
    expect(report.servers.map((s) => [s.name, s.action])).toEqual([
      ['everything', 'wrapped'],
      ['web', 'url-left'],
    ]);
    expect(readFileSync(t.config, 'utf8').endsWith('}')).toBe(true); // no newline before, none added
    expect((await cli(t, ['clients', 'restore', '--client', 'cursor', '--config', t.config])).code).toBe(0);
    expect(readFileSync(t.config).equals(t.original)).toBe(true);

    const broken = join(t.home, 'broken.json');
    writeFileSync(broken, '{"mcpServers": {"x": {"command": "a",}}}');
    const bad = await cli(t, ['clients', 'install', '--client', 'cursor', '--config', broken, '--policy', t.policy]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('not valid JSON');
    expect(readFileSync(broken, 'utf8')).toBe('{"mcpServers": {"x": {"command": "a",}}}');
    expect(existsSync(`${broken}.capfence-backup`)).toBe(false);
    expect((await cli(t, ['clients', 'install', '--client', 'cursor', '--config', join(t.home, 'missing.json'), '--policy', t.policy])).code).toBe(1);
    expect((await cli(t, ['clients', 'install', '--client', 'vscode', '--config', t.config])).code).toBe(2);
    expect((await cli(t, ['clients', 'install', '--config', t.config])).code).toBe(2);
  });

  it('follows a symlinked config, rewriting and restoring the file it points to', async () => {
    if (process.platform === 'win32') return;
    const t = setup('cursor-mcp.min.json');
    const link = join(t.home, 'linked.json');
    symlinkSync(t.config, link);
    expect((await cli(t, ['clients', 'install', '--client', 'cursor', '--config', link, '--policy', t.policy])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(`${t.config}.capfence-backup`)).toBe(true);
    expect(parse(link).mcpServers['everything']?.args[1]).toBe('gateway');
    expect((await cli(t, ['clients', 'restore', '--client', 'cursor', '--config', link])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(t.config).equals(t.original)).toBe(true);
  });

  it('knows each client config path per OS and what counts as wrapped', () => {
    const env = { HOME: '/home/u', USERPROFILE: 'C:\\Users\\u', APPDATA: 'C:\\Users\\u\\AppData\\Roaming' };
    expect(defaultConfigPath('claude-desktop', env, 'darwin')).toBe('/home/u/Library/Application Support/Claude/claude_desktop_config.json');
    expect(defaultConfigPath('claude-desktop', env, 'linux')).toBe('/home/u/.config/Claude/claude_desktop_config.json');
    expect(defaultConfigPath('claude-desktop', env, 'win32')).toContain(join('C:\\Users\\u\\AppData\\Roaming', 'Claude', 'claude_desktop_config.json'));
    expect(defaultConfigPath('cursor', env, 'linux')).toBe('/home/u/.cursor/mcp.json');
    expect(isWrapped({ command: 'capfence', args: ['gateway', '--', 'x'] })).toBe(true);
    expect(isWrapped({ command: 'node', args: ['C:\\cf\\bin\\capfence.js', 'gateway'] })).toBe(true);
    expect(isWrapped({ command: 'npx', args: ['-y', 'capfence-gateway'] })).toBe(false);
    const w = wrapClientConfig('{"mcpServers":{"a":{"command":"x","args":"nope"}}}', { node: '/n', bin: '/b', policy: '/p' });
    expect(w.ok && w.value).toMatchObject({ changed: false, servers: [{ name: 'a', action: 'skipped' }] });
  });

  it('the wrapped command line starts a working gateway', async () => {
    expect(existsSync(join(DIST, 'main/cli/commands/clients.js')), 'build first: npx tsc -p tsconfig.main.build.json').toBe(true);
    const t = setup('claude_desktop_config.odd.json');
    expect((await cli(t, ['clients', 'install', '--client', 'claude-desktop', '--config', t.config, '--policy', t.policy, '--db', t.db])).code).toBe(0);
    const e = parse(t.config).mcpServers['everything'] as Entry;
    // As Claude Desktop starts it: the command, its args, its env; no PATH needed for capfence.
    const transport = new StdioClientTransport({ command: e.command, args: e.args, env: { ...(e.env ?? {}) }, stderr: 'pipe' });
    const client = new Client({ name: 'claude-desktop-stand-in', version: '1' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((x) => x.name)).toContain('echo');
      const r = await client.callTool({ name: 'echo', arguments: { message: 'wrapped and working' } });
      expect(JSON.stringify(r.content)).toContain('wrapped and working');
      // And it enforces: a tool the policy does not allow never runs.
      const denied = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } }).then(
        (res) => JSON.stringify(res),
        (err: unknown) => String(err),
      );
      expect(denied).toContain('CapFence blocked this tool call');
    } finally {
      await client.close();
    }
  });
});
