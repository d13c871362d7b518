// Environment: node. The gateway and tools commands in-process (runCli with memoryIo): usage
// errors, a policy that does not load, and the tools commands on an empty and a filled store.
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/main.js';
import { memoryIo } from '../../../main/cli/io.js';
import { openStore } from '../../../main/store/store.js';
import { removeTestEnvs, testEnv } from './helpers.js';

afterAll(removeTestEnvs);

describe('capfence gateway and tools (in-process)', () => {
  it('refuses to start without a policy, an upstream command, or with a policy that does not load', async () => {
    const t = testEnv('version: 1\nallow:\n  - capability: mcp.x\n    amout_gt: 5\n');
    let io = memoryIo(t.home, t.env);
    expect(await runCli(['gateway', 'node', 'server.js'], io)).toBe(2);
    expect(io.err()).toContain('`--policy` is required');
    io = memoryIo(t.home, t.env);
    expect(await runCli(['gateway', '--policy', t.policy], io)).toBe(2);
    expect(io.err()).toContain('the upstream server command is missing');
    io = memoryIo(t.home, t.env);
    expect(await runCli(['gateway', '--policy', t.policy, '--hold-seconds', '-1', 'node'], io)).toBe(2);
    io = { ...memoryIo(t.home, t.env), stdin: process.stdin };
    expect(await runCli(['gateway', '--policy', t.policy, '--db', t.db, '--', 'node', 'server.js'], io)).toBe(2);
    expect(io.err()).toMatch(/policy\.yaml:4:5: .*amout_gt/);
  });

  it('lists and accepts pins, and refuses an accept without a person or a pin', async () => {
    const t = testEnv('version: 1\n');
    let io = memoryIo(t.home, t.env);
    expect(await runCli(['tools', 'list', '--db', t.db], io)).toBe(0);
    expect(io.out()).toContain('No pinned tools');
    const store = openStore(t.db, { env: t.env });
    try {
      await store.tools.observe('srv', [{ name: 'a', hash: 'h1', definition: { name: 'a' } }]);
      const { quarantined } = await store.tools.observe('srv', [
        { name: 'a', hash: 'h2', definition: { name: 'a', description: 'changed' } },
        { name: 'b', hash: 'h3', definition: { name: 'b' } },
      ]);
      expect(quarantined.map((p) => p.tool)).toEqual(['a', 'b']);
    } finally {
      await store.close();
    }
    io = memoryIo(t.home, t.env);
    expect(await runCli(['tools', 'list', '--server', 'srv', '--json', '--db', t.db], io)).toBe(0);
    expect((JSON.parse(io.out()) as { tool: string; status: string; definition: unknown }[]).map((p) => [p.tool, p.status, p.definition])).toEqual([
      ['a', 'quarantined', { name: 'a', description: 'changed' }],
      ['b', 'quarantined', { name: 'b' }],
    ]);
    io = memoryIo(t.home, t.env);
    expect(await runCli(['tools', 'accept', 'srv', 'nope', '--by', 'eve', '--db', t.db], io)).toBe(1);
    expect(io.err()).toContain('no pinned tool `nope`');
    io = memoryIo(t.home, t.env);
    expect(await runCli(['tools', 'accept', 'srv', 'a', '--by', 'eve', '--db', t.db], io)).toBe(0);
    io = memoryIo(t.home, t.env);
    expect(await runCli(['tools', 'accept', 'srv', 'a', '--by', 'eve', '--db', t.db], io)).toBe(0);
    expect(io.out()).toContain('already accepted');
  });
});
