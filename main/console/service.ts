import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  isRequestChannel,
  parseRequest,
  type ConsoleResult,
  type DiagnosticView,
  type EventChannel,
  type EventOf,
  type ParsedRequestOf,
  type RequestChannel,
  type ResponseOf,
} from '../../shared/ipc/contract.js';
import type { Approval, Grant } from '../../shared/approvals.js';
import { decisionOf, type Decision } from '../../shared/events/verdict.js';
import { parseCapability } from '../../shared/policy/capability.js';
import { compilePolicy, type CompiledPolicy } from '../../shared/policy/compile.js';
import { decide } from '../../shared/policy/decide.js';
import { formatDiagnostic, type PolicyDiagnostic } from '../../shared/policy/diagnostics.js';
import { lintPolicy } from '../../shared/policy/lint.js';
import { loadPolicyText } from '../../shared/policy/load.js';
import type { DecisionInput } from '../../shared/policy/types.js';
import { mapTraceEvent } from '../../shared/replay/map-event.js';
import { MAX_TRACE_BYTES, parseTrace, TraceError } from '../../shared/replay/trace.js';
import { renderAuditExport } from '../cli/commands/logs.js';
import { fsPolicyReader, type LoadedPolicy } from '../policy/load-policy.js';
import type { ActionRuntime } from '../runtime/action-runtime.js';
import type { AuditEntry, AuditQuery } from '../store/audit-log.js';
import type { Change } from '../store/change-feed.js';
import { GrantError } from '../store/grants.js';
import type { Store } from '../store/store.js';
import { verifyAuditLogAsync } from '../store/verify.js';
import { VERSION } from '../version.js';
import { ConsoleServiceError, refuse, toConsoleError } from './errors.js';

/** Every request channel's handler, typed from the contract: input already parsed, output checked by the client. */
export type ConsoleHandlers = { [C in RequestChannel]: (req: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };

/** A pushed event, as the transports forward it. */
export type ConsoleEventListener = <E extends EventChannel>(event: E, payload: EventOf<E>) => void;

/** What the console service runs on: the shared store, the policy file and who decides. */
export interface ConsoleServiceOptions {
  store: Store;
  /** The active policy file (`policy:save` writes it); null when the console runs without one. */
  policyPath: string | null;
  /** Recorded as the approver of decisions made in this console. */
  user: string;
  transport: 'electron' | 'websocket';
  gatewayUrl?: string | null;
  /** `$CAPFENCE_HOME`: keys and external checkpoints for `audit:verify`. */
  home: string;
  /** The in-process runtime (the local gateway's) to switch to a saved policy. */
  runtime?: ActionRuntime;
  /** How often the policy file is checked for edits made outside the console (ms, default 250). */
  policyPollMs?: number;
  /** better-sqlite3's Electron-ABI binding, for the read-only connections `audit:verify` opens. */
  nativeBinding?: string;
}

/** The console's main side, independent of the transport that carries it. */
export interface ConsoleService {
  readonly handlers: ConsoleHandlers;
  /**
   * The one entry point transports call: parses `payload` with the channel's schema, runs the
   * handler, and turns every failure into a `ConsoleResult` error. Never throws.
   */
  handle(channel: unknown, payload: unknown): Promise<ConsoleResult<unknown>>;
  /** Listens for pushed events; returns the unsubscribe function. */
  subscribe(listener: ConsoleEventListener): () => void;
  /** The gateway's URL once it runs (shown by `session:info`). */
  setGatewayUrl(url: string | null): void;
  /** Stops watching the store and the policy file (the store itself stays open). */
  close(): void;
}

/** Changes reported per page (a 100,000-event replay does not become a 100,000-row answer). */
const MAX_REPLAY_CHANGES = 5000;
/** Entries one `audit:export` may return through the console; bigger logs go through the CLI. */
const MAX_EXPORT_ENTRIES = 200_000;
const QUERY_PAGE = 10_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function toDiagnosticView(d: PolicyDiagnostic): DiagnosticView {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.location ? { location: { file: d.location.file, line: d.location.line, column: d.location.column } } : {}),
    ...(d.hint ? { hint: d.hint } : {}),
  };
}

interface DraftCheck {
  valid: boolean;
  diagnostics: PolicyDiagnostic[];
  loaded?: LoadedPolicy;
}

/**
 * Validates a policy text exactly as the runtime will load it: parse, validate, `extends` from
 * disk relative to the policy file, and every capability pattern must parse (the runtime refuses
 * the ones `check-policy` only warns about). Lint findings come back as warnings.
 */
export function checkPolicyDraft(text: string, file: string): DraftCheck {
  const r = loadPolicyText(text, file, fsPolicyReader([dirname(file)]));
  if (!r.ok) return { valid: false, diagnostics: r.diagnostics };
  const diagnostics = [...r.diagnostics];
  for (const rule of r.policy.rules) {
    if (parseCapability(rule.capability).ok) continue;
    diagnostics.push({
      severity: 'error',
      code: 'bad-capability',
      message: `rule \`${rule.origin.section}[${rule.origin.index}]\` has an invalid capability \`${rule.capability}\``,
      ...(rule.origin.location ? { location: rule.origin.location } : {}),
      hint: 'capabilities use letters, digits, `_`, `-`, `.` and `*` only',
    });
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { valid: false, diagnostics };
  diagnostics.push(...lintPolicy(r.policy));
  return { valid: true, diagnostics, loaded: { policy: r.policy, compiled: compilePolicy(r.policy), text, path: file } };
}

/** Writes a file atomically: a temp file beside it, then rename (readers never see half a policy). */
function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing was written.
    }
    throw e;
  }
}

interface ActivePolicy {
  text: string;
  hash: string;
  loaded: LoadedPolicy | null;
}

interface ReplayItem {
  ref: number;
  actor: string;
  input: DecisionInput;
  requireApproval: boolean;
}

const decisionUnder = (compiled: CompiledPolicy | null, item: ReplayItem): { decision: Decision; reason: string; rule: string | null } => {
  if (!compiled) return { decision: 'deny', reason: 'no_active_policy', rule: null };
  try {
    const ex = decide(compiled, item.input);
    const { decision, reason } = decisionOf(ex, item.requireApproval);
    return { decision, reason, rule: ex.rule };
  } catch (e) {
    // As the runtime: an error while deciding denies.
    return { decision: 'deny', reason: `policy_error:${errorText(e)}`, rule: null };
  }
};

/** The console's main side: one handler per contract channel over the shared store, plus live events. */
export function createConsoleService(opts: ConsoleServiceOptions): ConsoleService {
  const { store, user, transport, home } = opts;
  const policyPath = opts.policyPath ? resolve(opts.policyPath) : null;
  let gatewayUrl = opts.gatewayUrl ?? null;
  const listeners = new Set<ConsoleEventListener>();
  let active: ActivePolicy | null = null;

  const emit = <E extends EventChannel>(event: E, payload: EventOf<E>) => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch {
        // One broken listener (a closed socket) must not starve the others.
      }
    }
  };

  /** The policy file as it is now on disk, loaded once per distinct text. */
  const readActive = (): ActivePolicy | null => {
    if (!policyPath || !existsSync(policyPath)) return null;
    const text = readFileSync(policyPath, 'utf8');
    if (active && active.text === text) return active;
    const check = checkPolicyDraft(text, policyPath);
    active = { text, hash: sha256(text), loaded: check.loaded ?? null };
    return active;
  };

  // The policy file can change outside the console (an editor, a deploy): reload and tell the UI.
  let lastHash = safeHash();
  function safeHash(): string | null {
    try {
      return readActive()?.hash ?? null;
    } catch {
      return null;
    }
  }
  const onPolicyFile = () => {
    const before = lastHash;
    lastHash = safeHash();
    if (lastHash === null || lastHash === before || !policyPath) return;
    const a = active;
    if (a?.loaded && opts.runtime) opts.runtime.reload(a.loaded);
    emit('policy:changed', { hash: lastHash, path: policyPath });
  };
  if (policyPath) watchFile(policyPath, { interval: opts.policyPollMs ?? 250, persistent: false }, onPolicyFile);

  // Changes from every process (CLI, gateways, libraries, this console) arrive through the store's feed.
  // Batches are forwarded one after another, so a row's events reach the UI in the order it changed.
  let forwarding: Promise<void> = Promise.resolve();
  const stopWatch = store.changes.watch((changes: Change[]) => {
    forwarding = forwarding.then(() => forward(changes)).catch(() => undefined);
  });
  async function forward(changes: Change[]): Promise<void> {
    const approvalIds = new Set<string>();
    const grantIds = new Set<string>();
    let audit = false;
    for (const c of changes) {
      if (c.kind === 'approval') approvalIds.add(c.ref);
      else if (c.kind === 'grant') grantIds.add(c.ref);
      else if (c.kind === 'audit') audit = true;
    }
    if (approvalIds.size > 0) {
      const rows: Approval[] = [];
      for (const id of approvalIds) {
        const a = await store.approvals.get(id);
        if (a) rows.push(a);
      }
      if (rows.length > 0) emit('approvals:changed', { approvals: rows });
    }
    if (grantIds.size > 0) {
      const grants = (await store.grants.list({ activeOnly: false })).filter((g) => grantIds.has(g.id));
      if (grants.length > 0) emit('grants:changed', { grants });
    }
    if (audit) emit('audit:appended', { head: await store.audit.head() });
  }

  const grantView = async (g: Grant): Promise<ResponseOf<'grants:create'>> => {
    const listed = (await store.grants.list({ activeOnly: false })).find((x) => x.id === g.id);
    return listed ?? { ...g, tampered: false };
  };

  const auditFilter = (req: { actor?: string | undefined; capability?: string | undefined; decision?: string | undefined; kind?: string | undefined; since?: number | undefined; until?: number | undefined; text?: string | undefined }): AuditQuery => ({
    ...(req.actor ? { actor: req.actor } : {}),
    ...(req.capability ? { capability: req.capability } : {}),
    ...(req.decision ? { decision: req.decision } : {}),
    ...(req.kind ? { kind: req.kind } : {}),
    ...(req.since !== undefined ? { since: req.since } : {}),
    ...(req.until !== undefined ? { until: req.until } : {}),
    ...(req.text ? { text: req.text } : {}),
  });

  /** Pages back through the log (newest first) until `max` entries or the start. */
  const collect = async (q: AuditQuery, max: number): Promise<AuditEntry[]> => {
    const out: AuditEntry[] = [];
    let before: number | undefined;
    while (out.length < max) {
      const want = Math.min(QUERY_PAGE, max - out.length);
      const page = await store.audit.query({ ...q, limit: want, ...(before !== undefined ? { beforeSeq: before } : {}) });
      out.push(...page);
      if (page.length < want) break;
      before = (page[page.length - 1] as AuditEntry).seq;
    }
    return out;
  };

  const replayItems = async (source: ParsedRequestOf<'policy:replay'>['source'], warnings: string[]): Promise<ReplayItem[]> => {
    if (source.kind === 'audit') {
      const entries = await collect({ kind: 'decision' }, source.limit);
      let redacted = 0;
      const items = entries.reverse().map((e): ReplayItem => {
        const payload = e.payload && typeof e.payload === 'object' && !Array.isArray(e.payload) ? (e.payload as Record<string, unknown>) : {};
        if (e.redacted) redacted++;
        return {
          ref: e.seq,
          actor: e.actor,
          // The audit log keeps capability, payload, actor, environment and tool: the context the gateways decide with.
          input: { capability: e.capability, payload, context: { actor: e.actor, environment: e.environment ?? 'development', tool_name: e.tool } },
          requireApproval: false,
        };
      });
      if (redacted > 0) warnings.push(`${redacted} audited payload(s) were redacted; they were replayed with an empty payload`);
      return items;
    }
    let text: string;
    if (source.kind === 'trace-file') {
      const path = resolve(source.path);
      let size: number;
      try {
        const st = statSync(path);
        if (!st.isFile()) refuse('BAD_REQUEST', `\`${source.path}\` is not a file`);
        size = st.size;
      } catch (e) {
        if (e instanceof ConsoleServiceError) throw e;
        return refuse('NOT_FOUND', `trace file \`${source.path}\` not found`);
      }
      if (size > MAX_TRACE_BYTES) refuse('BAD_REQUEST', `trace file \`${source.path}\` is over the ${MAX_TRACE_BYTES}-byte limit`);
      text = readFileSync(path, 'utf8');
    } else text = source.text;
    let trace;
    try {
      trace = parseTrace(text);
    } catch (e) {
      if (e instanceof TraceError) return refuse('BAD_REQUEST', e.message);
      throw e;
    }
    warnings.push(...trace.warnings);
    const items: ReplayItem[] = [];
    const dropped = new Set<string>();
    let invalid = 0;
    trace.events.forEach((raw, i) => {
      try {
        const mapped = mapTraceEvent(raw);
        for (const k of mapped.droppedKeys) dropped.add(k);
        items.push({ ref: trace.lines[i] ?? i + 1, actor: mapped.event.actor, input: mapped.event.toDecisionInput(), requireApproval: mapped.event.metadata['require_approval'] === true });
      } catch (e) {
        invalid++;
        if (invalid <= 5) warnings.push(`trace line ${trace.lines[i] ?? i + 1} skipped: ${errorText(e)}`);
      }
    });
    if (invalid > 5) warnings.push(`${invalid} trace events skipped in all`);
    if (dropped.size > 0) warnings.push(`ignored keys the event model has no place for: ${[...dropped].sort().join(', ')}`);
    return items;
  };

  const requireFile = (): string => policyPath ?? refuse('BAD_REQUEST', 'this console runs without a policy file');

  const handlers: ConsoleHandlers = {
    async 'session:info'() {
      return { version: VERSION, dbPath: store.path, policyPath, policyHash: readActive()?.hash ?? null, transport, gatewayUrl, user };
    },

    async 'approvals:list'(req) {
      return store.approvals.list({ status: req.status, limit: req.limit });
    },

    async 'approvals:approve'(req) {
      if (req.editedArguments && req.ids.length !== 1) refuse('BAD_REQUEST', 'edited arguments apply to a single request, not a batch');
      const out: ResponseOf<'approvals:approve'> = [];
      for (const id of req.ids) {
        const r = await store.approvals.approve(id, {
          by: user,
          ...(req.reason ? { reason: req.reason } : {}),
          ...(req.grantForSeconds !== undefined ? { grantForSeconds: req.grantForSeconds } : {}),
          ...(req.editedArguments ? { editedArguments: req.editedArguments } : {}),
        });
        out.push(r.ok ? { id, ok: true, approval: r.value } : { id, ok: false, error: r.error.message });
      }
      return out;
    },

    async 'approvals:deny'(req) {
      const out: ResponseOf<'approvals:deny'> = [];
      for (const id of req.ids) {
        const r = await store.approvals.deny(id, { by: user, ...(req.reason ? { reason: req.reason } : {}) });
        out.push(r.ok ? { id, ok: true, approval: r.value } : { id, ok: false, error: r.error.message });
      }
      return out;
    },

    async 'grants:list'(req) {
      return store.grants.list({ activeOnly: req.activeOnly });
    },

    async 'grants:create'(req) {
      try {
        const g = await store.grants.create({
          actor: req.actor,
          capability: req.capability,
          environment: req.environment ?? '*',
          grantedBy: user,
          ...(req.durationSeconds !== undefined ? { durationSeconds: req.durationSeconds } : {}),
          ...(req.uses !== undefined ? { uses: req.uses } : {}),
          ...(req.sessionId ? { sessionId: req.sessionId } : {}),
          ...(req.reason ? { reason: req.reason } : {}),
        });
        return grantView(g);
      } catch (e) {
        if (e instanceof GrantError) return refuse('BAD_REQUEST', e.message);
        throw e;
      }
    },

    async 'grants:revoke'(req) {
      const existing = (await store.grants.list({ activeOnly: false })).find((g) => g.id === req.id);
      if (!existing) return refuse('NOT_FOUND', `grant \`${req.id}\` not found`);
      if (existing.revokedAt !== null) return refuse('CONFLICT', `grant \`${req.id}\` is already revoked`);
      const g = await store.grants.revoke(req.id, user);
      if (!g) return refuse('CONFLICT', `grant \`${req.id}\` is already revoked`);
      return grantView(g);
    },

    async 'policy:get'() {
      const a = readActive();
      return { path: policyPath, text: a?.text ?? '', hash: a?.hash ?? null };
    },

    async 'policy:versions'(req) {
      return (await store.policies.list(req.limit)).map(({ text: _text, ...v }) => v);
    },

    async 'policy:version'(req) {
      const v = await store.policies.get(req.hash);
      if (!v) return refuse('NOT_FOUND', `policy version \`${req.hash}\` not found`);
      return v;
    },

    async 'policy:check'(req) {
      const r = checkPolicyDraft(req.text, policyPath ?? join(home, 'policy.yaml'));
      return { valid: r.valid, diagnostics: r.diagnostics.map(toDiagnosticView) };
    },

    async 'policy:save'(req) {
      const path = requireFile();
      const current = readActive();
      if ((current?.hash ?? null) !== req.baseHash) {
        refuse('CONFLICT', `the policy file changed since it was opened (now ${current ? `\`${current.hash.slice(0, 12)}\`` : 'missing'}): reload it and apply your edits again`);
      }
      const r = checkPolicyDraft(req.text, path);
      if (!r.valid || !r.loaded) {
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        return refuse('POLICY_INVALID', `policy is invalid, not saved:\n${errors.map(formatDiagnostic).join('\n')}`);
      }
      writeAtomic(path, req.text);
      // Recorded before anything decides under it, so every decision's policy hash resolves to this text.
      const hash = await store.policies.record(req.text, r.loaded.policy.id, path);
      active = { text: req.text, hash, loaded: r.loaded };
      lastHash = hash;
      opts.runtime?.reload(r.loaded);
      emit('policy:changed', { hash, path });
      return { hash, path };
    },

    async 'policy:replay'(req) {
      const file = policyPath ?? join(home, 'policy.yaml');
      const draft = checkPolicyDraft(req.text, file);
      if (!draft.valid || !draft.loaded) {
        const errors = draft.diagnostics.filter((d) => d.severity === 'error');
        return refuse('POLICY_INVALID', `draft policy is invalid:\n${errors.map(formatDiagnostic).join('\n')}`);
      }
      const warnings: string[] = [];
      const current = readActive();
      const activeCompiled = current?.loaded?.compiled ?? opts.runtime?.policy.compiled ?? null;
      if (!activeCompiled) warnings.push('no valid active policy: every event counts as denied before the change');
      const items = await replayItems(req.source, warnings);
      const before = { allow: 0, deny: 0, require_approval: 0 };
      const after = { allow: 0, deny: 0, require_approval: 0 };
      const allowed: ResponseOf<'policy:replay'>['changes'] = [];
      const others: ResponseOf<'policy:replay'>['changes'] = [];
      for (const item of items) {
        const b = decisionUnder(activeCompiled, item);
        const a = decisionUnder(draft.loaded.compiled, item);
        before[b.decision]++;
        after[a.decision]++;
        if (a.decision === b.decision) continue;
        const change = { ref: item.ref, actor: item.actor, capability: item.input.capability, before: b.decision, after: a.decision, afterReason: a.reason, afterRule: a.rule };
        (a.decision === 'allow' ? allowed : others).push(change);
      }
      const changes = [...allowed, ...others];
      if (changes.length > MAX_REPLAY_CHANGES) warnings.push(`${changes.length} events change decision; the first ${MAX_REPLAY_CHANGES} are listed (newly allowed first)`);
      return { total: items.length, before, after, changes: changes.slice(0, MAX_REPLAY_CHANGES), warnings };
    },

    async 'audit:query'(req) {
      const entries = await store.audit.query({ ...auditFilter(req), limit: req.limit, ...(req.beforeSeq !== undefined ? { beforeSeq: req.beforeSeq } : {}) });
      return { entries, head: await store.audit.head() };
    },

    async 'audit:entry'(req) {
      const entry = await store.audit.get(req.seq);
      if (!entry) return refuse('NOT_FOUND', `audit entry ${req.seq} not found`);
      const policy = entry.policyHash ? ((await store.policies.get(entry.policyHash)) ?? null) : null;
      return { entry, policy };
    },

    async 'audit:verify'(req) {
      const path = req.path ? resolve(req.path) : store.path;
      if (!existsSync(path)) return refuse('NOT_FOUND', `audit log \`${req.path ?? path}\` not found`);
      // Verification opens its own read-only connections (worker threads on big logs), so the
      // console keeps answering while it runs and never writes to a log it checks.
      return verifyAuditLogAsync(path, {
        home,
        onProgress: (done, total) => emit('audit:verifyProgress', { done, total }),
        ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      });
    },

    async 'audit:export'(req) {
      const entries = await collect(auditFilter(req), MAX_EXPORT_ENTRIES + 1);
      if (entries.length > MAX_EXPORT_ENTRIES) refuse('BAD_REQUEST', `more than ${MAX_EXPORT_ENTRIES} entries match: narrow the filter, or run \`capfence audit export\``);
      entries.reverse();
      const text = renderAuditExport(entries as unknown as Record<string, unknown>[], req.format);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return { filename: `capfence-audit-${stamp}.${req.format}`, text, count: entries.length };
    },
  };

  return {
    handlers,
    async handle(channel, payload) {
      if (!isRequestChannel(channel)) return { ok: false, error: { code: 'BAD_REQUEST', message: `unknown channel \`${String(channel).slice(0, 100)}\`` } };
      const parsed = parseRequest(channel, payload);
      if (!parsed.ok) return parsed;
      try {
        const handler = handlers[channel] as (req: unknown) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.value) };
      } catch (e) {
        return { ok: false, error: toConsoleError(e) };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    setGatewayUrl(url) {
      gatewayUrl = url;
    },
    close() {
      stopWatch();
      if (policyPath) unwatchFile(policyPath, onPolicyFile);
      listeners.clear();
    },
  };
}
