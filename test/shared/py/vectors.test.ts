import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePyJson, pyJsonDumps } from '../../../shared/py/json.js';
import { payloadText, valuesText } from '../../../shared/py/repr.js';
import { valueMatches } from '../../../shared/py/equals.js';
import { extractAmount } from '../../../shared/policy/extract.js';
import { parseCapability, formatCapability } from '../../../shared/policy/capability.js';
import { pyFloat } from '../../../shared/py/values.js';

/** The original's tag for floats JSON cannot carry. */
function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (v && typeof v === 'object' && !(v instanceof Number)) {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o['$float'] === 'string') {
      return pyFloat({ nan: NaN, inf: Infinity, '-inf': -Infinity }[o['$float'] as 'nan'] as number);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untag(x)]));
  }
  return v;
}

const lines = readFileSync(join(import.meta.dirname, '../../fixtures/reference/recorded/vectors.jsonl'), 'utf8').split('\n').filter(Boolean);
const vectors = lines.map((l) => {
  const r = parsePyJson(l);
  if (!r.ok) throw new Error(r.error.message);
  return untag(r.value) as Record<string, unknown> & { id: string; kind: string };
});
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const of = (kind: string) => vectors.filter((v) => v.kind === kind);

describe('python semantics match the recorded vectors', () => {
  it('has every kind of vector', () => {
    expect(of('payload_text').length).toBe(28);
    expect(of('entry_hash').length).toBe(8);
  });
  for (const v of of('payload_text')) {
    it(`payload text ${v.id}`, () => {
      const p = v['payload'] as Record<string, unknown>;
      expect(payloadText(p)).toBe(v['str_payload_lower']);
      expect(valuesText(p)).toBe(v['values_text']);
      const canonical = pyJsonDumps(p, { sortKeys: true, separators: [',', ':'], ensureAscii: false });
      if (typeof v['payload_hash_canonical'] === 'string') {
        expect(canonical).toBe(v['payload_hash_canonical']);
        expect(sha(canonical)).toBe(v['payload_hash']);
      }
      if (typeof v['approval_payload_key'] === 'string') expect(pyJsonDumps(p, { sortKeys: true })).toBe(v['approval_payload_key']);
      if (typeof v['replay_checksum_json'] === 'string') {
        expect(pyJsonDumps([p], { sortKeys: true })).toBe(v['replay_checksum_json']);
        expect(sha(v['replay_checksum_json'] as string).slice(0, 8)).toBe(v['replay_checksum']);
      }
    });
  }
  for (const v of of('entry_hash')) {
    it(`entry hash ${v.id}`, () => {
      const json = pyJsonDumps({ ...(v['fields'] as object), prev_hash: v['prev_hash'] }, { sortKeys: true, separators: [',', ':'], ensureAscii: false });
      expect(json).toBe(v['canonical_json']);
      expect(sha(json)).toBe(v['entry_hash']);
    });
  }
  for (const v of of('extract_amount')) {
    it(`amount ${v.id}`, () => {
      const got = extractAmount(v['payload'] as Record<string, unknown>);
      const want = v['amount'];
      if (want === null || want === undefined) expect(got).toBeUndefined();
      else expect(got).toBe(want instanceof Number ? want.valueOf() : want);
    });
  }
  for (const v of of('value_match')) {
    it(`value match ${v.id}`, () => expect(valueMatches(v['actual'], v['expected'])).toBe(v['matches']));
  }
  for (const v of of('capability_parse')) {
    it(`capability ${v.id}`, () => {
      const r = parseCapability(v['input']);
      if (v['error']) expect(r.ok).toBe(false);
      else {
        expect(r.ok).toBe(true);
        if (r.ok) expect([r.value.resource, r.value.action, r.value.scope, formatCapability(r.value)]).toEqual([v['resource'], v['action'], v['scope'], v['str']]);
      }
    });
  }
});
