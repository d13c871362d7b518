// Environment: node. The decider's remembered tool → capability mappings against policy reloads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyForRuntime } from '../../../main/policy/load-policy.js';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { MemoryBackend } from '../../../main/runtime/memory-backend.js';
import { ToolCallDecider } from '../../../main/mcp/judge.js';

const dir = mkdtempSync(join(tmpdir(), 'capfence-judge-mapping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policyFile = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const READ_ALLOWED = policyFile(
  'a.yaml',
  `version: 1
allow:
  - files.read
mcp:
  srv:
    fetch: files.read
`,
);
const FETCH_IS_A_WRITE = policyFile(
  'b.yaml',
  `version: 1
allow:
  - files.read
mcp:
  srv:
    fetch: files.write
`,
);

describe('tool → capability under reloads', () => {
  it('maps a tool again under a reloaded policy, so a remapped tool is decided under its new capability', async () => {
    const runtime = ActionRuntime.fromLoaded(loadPolicyForRuntime(READ_ALLOWED), { backend: new MemoryBackend() });
    const decider = new ToolCallDecider({ runtime, serverName: 'srv' });
    expect(decider.request('fetch', {}).capability).toBe('files.read');
    expect((await decider.decide('fetch', {}, { holdMs: 0 })).verdict.authorized).toBe(true);

    runtime.reload(loadPolicyForRuntime(FETCH_IS_A_WRITE));
    expect(decider.request('fetch', {}).capability).toBe('files.write');
    const after = await decider.decide('fetch', {}, { holdMs: 0 });
    expect(after.verdict).toMatchObject({ authorized: false, capability: 'files.write' });

    // Back again: the first policy's mapping is made afresh, not taken from before.
    runtime.reload(loadPolicyForRuntime(READ_ALLOWED));
    expect((await decider.decide('fetch', {}, { holdMs: 0 })).verdict).toMatchObject({ authorized: true, capability: 'files.read' });
  });

  it('keeps mapping correctly past its bound on remembered tools', () => {
    const runtime = ActionRuntime.fromLoaded(loadPolicyForRuntime(READ_ALLOWED), { backend: new MemoryBackend() });
    const decider = new ToolCallDecider({ runtime, serverName: 'srv' });
    for (let i = 0; i < 3000; i++) expect(decider.request(`t${i}`, {}).capability).toBe(`mcp.srv.t${i}`);
    expect(decider.request('fetch', {}).capability).toBe('files.read');
    expect(decider.request('t5', {}).capability).toBe('mcp.srv.t5');
  });
});
