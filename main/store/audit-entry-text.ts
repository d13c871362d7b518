import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';

/** The prev_hash of the first entry. */
export const GENESIS = '0'.repeat(64);

/** The decision an entry records, the same for what a caller passes and what the log stores. */
export interface AuditDecisionFields {
  kind: string;
  actor: string;
  capability: string;
  tool: string;
  decision: string;
  authorized: boolean;
  reason: string;
  rule: string | null;
  policyHash: string;
}

/** The context columns an entry may carry: optional on input, stored as null when absent. */
export interface AuditContextFields {
  environment: string | null;
  sessionId: string | null;
  approvalId: string | null;
  approver: string | null;
  approverReason: string | null;
}

/** Every field an entry's hash covers (the canonical text's keys, in camelCase). */
export interface HashedEntryFields extends AuditDecisionFields, AuditContextFields {
  seq: number;
  at: number;
  payloadCommitment: string;
  prevHash: string;
}

const q = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

/**
 * The canonical JSON (RFC 8785) an entry's hash covers: every field plus `"v":1`. The store keeps
 * exactly this text (`audit_chain.canonical`) and reads every other column out of it, so
 * verification hashes what is stored instead of rebuilding it. Written out by hand because
 * every decision builds one; a test checks it equals the generic `canonicalJson` of the same object.
 */
export function entryCanonical(r: HashedEntryFields): string {
  return (
    `{"actor":${q(r.actor)},"approval_id":${q(r.approvalId)},"approver":${q(r.approver)},"approver_reason":${q(r.approverReason)},` +
    `"at":${canonicalJson(r.at)},"authorized":${r.authorized ? 'true' : 'false'},"capability":${q(r.capability)},"decision":${q(r.decision)},` +
    `"environment":${q(r.environment)},"kind":${q(r.kind)},"payload_commitment":${q(r.payloadCommitment)},"policy_hash":${q(r.policyHash)},` +
    `"prev_hash":${q(r.prevHash)},"reason":${q(r.reason)},"rule":${q(r.rule)},"seq":${r.seq},"session_id":${q(r.sessionId)},"tool":${q(r.tool)},"v":1}`
  );
}

// `crypto.hash` (Node 20.12+) is a one-shot digest about four times faster than a Hash object
// on short inputs; verify hashes a million entries, and every decision hashes one.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** sha256 hex of a string. */
export const sha256Hex: (s: string) => string = oneShot ? (s) => oneShot('sha256', s, 'hex') : (s) => createHash('sha256').update(s).digest('hex');

/** sha256 hex of an entry's canonical JSON. */
export function entryHash(r: HashedEntryFields): string {
  return sha256Hex(entryCanonical(r));
}

const PREV_KEY = ',"prev_hash":"';
const SEQ_KEY = ',"seq":';

/**
 * The two chain fields of a stored canonical text: the seq it was written as and the hash it
 * links to, read by position instead of parsing a million JSON documents. The keys are found
 * unambiguously: inside a JSON string every `"` is escaped, so `,"prev_hash":"` and `,"seq":`
 * only occur as keys. Anything that is not our canonical shape gives `undefined` (a break).
 */
export function chainLinkOf(canonical: string): { seq: number; prevHash: string } | undefined {
  const p = canonical.indexOf(PREV_KEY);
  if (p < 0) return undefined;
  const prevStart = p + PREV_KEY.length;
  const prevEnd = canonical.indexOf('"', prevStart);
  const s = canonical.indexOf(SEQ_KEY, prevEnd);
  if (prevEnd < 0 || s < 0) return undefined;
  const seqStart = s + SEQ_KEY.length;
  const seqEnd = canonical.indexOf(',', seqStart);
  if (seqEnd < 0) return undefined;
  const digits = canonical.slice(seqStart, seqEnd);
  if (!/^[1-9][0-9]{0,15}$/.test(digits)) return undefined;
  return { seq: Number(digits), prevHash: canonical.slice(prevStart, prevEnd) };
}
