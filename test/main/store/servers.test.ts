// Environment: node. Real SQLite files in temp folders; the CLI runs in-process.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main.js';
import { memoryIo } from '../../../main/cli/io.js';
import { openStore, type Store } from '../../../main/store/store.js';
import type { Change } from '../../../main/store/change-feed.js';
import { validateMcpServer } from '../../../shared/mcp-server-config.js';
import { tempHome } from '../../helpers/temp.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
function open(t: ReturnType<typeof tempHome>): Store {
  const s = openStore(t.db, { env: t.env });
  stores.push(s);
  return s;
}

describe('server configuration validation', () => {
  it.each([
    [{ name: 'bad name', kind: 'stdio', command: ['x'] }, 'invalid server name'],
    [{ name: 'a'.repeat(65), kind: 'stdio', command: ['x'] }, 'invalid server name'],
    [{ name: 'ok', kind: 'ws', url: 'ws://x' }, 'unknown kind'],
    [{ name: 'ok', kind: 'stdio', command: [] }, 'needs a command'],
    [{ name: 'ok', kind: 'stdio', command: ['node', 3] }, 'needs a command'],
    [{ name: 'ok', kind: 'stdio', command: ['  '] }, 'empty program name'],
    [{ name: 'ok', kind: 'stdio', command: ['x'], env: { 'A-B': '1' } }, 'invalid name'],
    [{ name: 'ok', kind: 'http', url: 'file:///etc/passwd' }, 'must use http or https'],
    [{ name: 'ok', kind: 'http', url: 'not a url' }, 'invalid url'],
    [{ name: 'ok', kind: 'http', url: 'https://x', headers: { Host: 'evil' } }, 'set by the gateway'],
    [{ name: 'ok', kind: 'http', url: 'https://x', headers: { A: 'x\r\nB: y' } }, 'control characters'],
    [{ name: 'ok', kind: 'http', url: 'https://x', command: ['x'] }, 'cannot have a command'],
    [null, 'must be an object'],
  ])('rejects %j', (input, message) => {
    const r = validateMcpServer(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain(message);
  });

  it('accepts and normalizes both kinds', () => {
    expect(validateMcpServer({ name: 'fs_1', kind: 'stdio', command: ['npx', '-y', 'srv'], env: { TOKEN: 'a=b' } })).toEqual({
      ok: true,
      value: { name: 'fs_1', kind: 'stdio', command: ['npx', '-y', 'srv'], env: { TOKEN: 'a=b' }, cwd: null, url: null, headers: {}, enabled: true },
    });
    const r = validateMcpServer({ name: 'remote', kind: 'http', url: 'https://example.com/mcp', headers: { Authorization: 'Bearer x' } });
    expect(r.ok && r.value.url).toBe('https://example.com/mcp');
  });
});

describe('store.servers', () => {
  it('upserts, lists, gets and removes, writing a server change each time', async () => {
    const t = tempHome();
    const store = open(t);
    const seen: Change[] = [];
    const other = open(t);
    const stop = other.changes.watch((c) => seen.push(...c), { intervalMs: 5 });
    const added = await store.servers.upsert({ name: 'everything', kind: 'stdio', command: ['node', 'srv.js', 'stdio'], env: { A: '1' }, cwd: '/tmp' });
    expect(added.ok).toBe(true);
    const replaced = await store.servers.upsert({ name: 'everything', kind: 'http', url: 'http://127.0.0.1:9/mcp' });
    expect(replaced.ok && replaced.value).toMatchObject({ kind: 'http', command: null, cwd: null, url: 'http://127.0.0.1:9/mcp' });
    expect(await store.servers.list()).toHaveLength(1);
    expect(await other.servers.get('everything')).toMatchObject({ kind: 'http', enabled: true });
    expect((await store.servers.upsert({ name: 'x y', kind: 'stdio', command: ['a'] })).ok).toBe(false);
    expect(await store.servers.remove('everything')).toBe(true);
    expect(await store.servers.remove('everything')).toBe(false);
    expect(await store.servers.get('everything')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 150));
    stop();
    expect(seen.filter((c) => c.kind === 'server').map((c) => c.ref)).toEqual(['everything', 'everything', 'everything']);
  });
});

describe('capfence servers', () => {
  it('adds, lists and removes servers from the command line', async () => {
    const t = tempHome();
    const io = () => memoryIo(t.home, t.env);
    const add = io();
    expect(await runCli(['servers', 'add', 'everything', '--db', t.db, '--env', 'K=v=w', '--', 'node', 'srv.js', '--flag'], add)).toBe(0);
    expect(add.out()).toContain('Server `everything` saved (node srv.js --flag)');
    expect(await runCli(['servers', 'add', 'remote', '--db', t.db, '--url', 'https://example.com/mcp', '--header', 'Authorization=Bearer s3cret'], io())).toBe(0);

    const list = io();
    expect(await runCli(['servers', 'list', '--db', t.db, '--json'], list)).toBe(0);
    const json = JSON.parse(list.out()) as Record<string, unknown>[];
    expect(json.map((s) => s['name'])).toEqual(['everything', 'remote']);
    expect(json[0]).toMatchObject({ kind: 'stdio', command: ['node', 'srv.js', '--flag'], env: ['K'] });
    expect(list.out()).not.toContain('s3cret');
    const text = io();
    expect(await runCli(['servers', 'list', '--db', t.db], text)).toBe(0);
    expect(text.out()).toMatch(/remote\s+http\s+https:\/\/example.com\/mcp/);

    const bad = io();
    expect(await runCli(['servers', 'add', 'nope', '--db', t.db, '--url', 'ftp://x'], bad)).toBe(2);
    expect(bad.err()).toContain('must use http or https');
    const both = io();
    expect(await runCli(['servers', 'add', 'nope', '--db', t.db, '--url', 'https://x', '--', 'node'], both)).toBe(2);
    const none = io();
    expect(await runCli(['servers', 'add', 'nope', '--db', t.db], none)).toBe(2);

    expect(await runCli(['servers', 'remove', 'remote', '--db', t.db], io())).toBe(0);
    const again = io();
    expect(await runCli(['servers', 'remove', 'remote', '--db', t.db], again)).toBe(1);
    expect(again.err()).toContain('no server named `remote`');
  });
});
