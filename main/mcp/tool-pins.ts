import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import type { Store } from '../store/store.js';

/** The fields of a tool definition that are pinned: what the model reads and what it may send. */
const PINNED_FIELDS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;

/** The pinned part of a tool definition (absent fields left out). */
export function pinnedDefinition(tool: Tool): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const t = tool as unknown as Record<string, unknown>;
  for (const f of PINNED_FIELDS) if (t[f] !== undefined) out[f] = t[f];
  return out;
}

/** sha256 of the canonical JSON (RFC 8785) of the pinned definition. */
export function toolDefinitionHash(tool: Tool): string {
  return createHash('sha256').update(canonicalJson(pinnedDefinition(tool))).digest('hex');
}

/** How long a tool found accepted is not read again. */
const ACCEPTED_TTL_MS = 500;

/** Why a call may not run on its tool's definition. */
export const TOOL_CHANGED = 'tool definition changed';

export type PinCheck = { ok: true } | { ok: false; reason: string; detail: string };

/**
 * One proxy session's view of an upstream's tools against the pins: remembers the definitions
 * this session saw, records every listing (trust on first use, quarantine of new or changed
 * tools), and checks each call against the current pin: read on every call until it is found
 * accepted (so an accept from another process counts at once), then again after half a second.
 */
export class ToolPinSession {
  private readonly seen = new Map<string, string>();
  /** Tools found accepted on their current definition, and when: a pin read per call costs more than the rest of the check. */
  private readonly okUntil = new Map<string, number>();
  private stale = true;

  constructor(
    private readonly pins: Store['tools'],
    private readonly server: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Records one page of a listing. */
  async observe(tools: readonly Tool[]): Promise<void> {
    this.okUntil.clear();
    const seen = [];
    for (const t of tools) {
      if (!t || typeof t.name !== 'string') continue;
      const hash = toolDefinitionHash(t);
      this.seen.set(t.name, hash);
      seen.push({ name: t.name, hash, definition: pinnedDefinition(t) });
    }
    const r = await this.pins.observe(this.server, seen);
    if (r.firstUse) this.log(`server \`${this.server}\` seen for the first time: ${seen.length} tool(s) pinned as accepted (trust on first use)`);
    for (const p of r.quarantined) this.log(`${TOOL_CHANGED}: \`${this.server}/${p.tool}\` is quarantined until accepted (capfence tools accept ${this.server} ${p.tool} --by <you>)`);
  }

  /** The upstream said its tools changed: the next call looks again. */
  invalidate(): void {
    this.stale = true;
    this.okUntil.clear();
  }

  /** Whether `check` would pass `tool` without reading: found accepted on its current definition within `ACCEPTED_TTL_MS`. */
  acceptedRecently(tool: string): boolean {
    if (this.stale) return false;
    const cachedUntil = this.okUntil.get(tool);
    return cachedUntil !== undefined && cachedUntil > performance.now();
  }

  /** Whether `tool` may run on its current definition; lists the tools first when this session has not. */
  async check(tool: string, listTools: () => Promise<unknown>): Promise<PinCheck> {
    if (this.stale || !this.seen.has(tool)) {
      await listTools();
      this.stale = false;
    }
    const cachedUntil = this.okUntil.get(tool);
    if (cachedUntil !== undefined && cachedUntil > performance.now()) return { ok: true };
    const hash = this.seen.get(tool);
    if (hash === undefined) return { ok: false, reason: `tool not listed: \`${tool}\` is not in the tool list of \`${this.server}\``, detail: 'not listed' };
    const pin = await this.pins.get(this.server, tool);
    if (!pin || pin.status !== 'accepted' || pin.definitionHash !== hash) {
      return {
        ok: false,
        reason: `${TOOL_CHANGED}: \`${this.server}/${tool}\` is quarantined until a person accepts it (capfence tools accept ${this.server} ${tool} --by <you>)`,
        detail: pin ? pin.status : 'not pinned',
      };
    }
    // Only an accepted pin is remembered, briefly: an accept elsewhere counts on the next call,
    // a quarantine decided by another process within ACCEPTED_TTL_MS.
    this.okUntil.set(tool, performance.now() + ACCEPTED_TTL_MS);
    return { ok: true };
  }
}
