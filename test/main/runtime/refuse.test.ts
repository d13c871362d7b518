// Environment: node. Denies decided outside the policy (quarantined tools, unmappable tools).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { MemoryBackend } from '../../../main/runtime/memory-backend.js';

const POLICY = join(import.meta.dirname, '../../fixtures/policies/payments.yaml');
const req = { actor: 'agent', capability: 'mcp.fs.write_file', tool: 'write_file', payload: { path: '/x' }, environment: 'production' };

describe('ActionRuntime.refuse', () => {
  it('records the deny under the policy version in force, with no rule', async () => {
    const backend = new MemoryBackend();
    const rt = ActionRuntime.fromPolicy(POLICY, { backend });
    const v = await rt.refuse(req, 'tool definition changed');
    expect(v).toMatchObject({ authorized: false, decision: 'deny', reason: 'tool definition changed', capability: 'mcp.fs.write_file' });
    expect(v.explanation).toMatchObject({ section: 'default', rule: null, verdict: 'deny' });
    expect(v.policyHash).toBe(createHash('sha256').update(readFileSync(POLICY, 'utf8')).digest('hex'));
    expect(backend.audit).toHaveLength(1);
    expect(backend.audit[0]).toMatchObject({ actor: 'agent', decision: 'deny', authorized: false, reason: 'tool definition changed', rule: null, policyHash: v.policyHash, seq: v.auditSeq });
  });

  it('still denies when the store cannot record it, and says so', async () => {
    const backend = new MemoryBackend();
    backend.appendAudit = async () => {
      throw new Error('disk full');
    };
    const rt = ActionRuntime.fromPolicy(POLICY, { backend });
    const v = await rt.refuse(req, 'tool definition changed');
    expect(v.authorized).toBe(false);
    expect(v.reason).toBe('tool definition changed (audit_error:disk full)');
    expect(v.auditSeq).toBeUndefined();
  });
});
