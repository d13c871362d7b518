import type { ApprovalView, AuditEntryView, ConsoleApi, ConsoleResult, EventChannel, EventOf, GrantView, RequestChannel, RequestOf, ResponseOf } from '../../shared/ipc/contract.js';
import { compilePolicy, decide, lintPolicy, loadPolicyText } from '../../shared/index.js';
import type { Policy } from '../../shared/index.js';

/**
 * An in-memory main side for component tests: real state transitions (approve removes a pending
 * row and emits `approvals:changed`, revoke sets `revokedAt`...), `policy:check` and
 * `policy:replay` computed with the shared engine, and a log of every request made.
 */
export class FakeConsole {
  approvals: ApprovalView[] = [];
  grants: GrantView[] = [];
  audit: AuditEntryView[] = [];
  policy = { path: 'policies/test.yaml' as string | null, text: 'version: 1\nallow:\n  - files.read\n', hash: 'hash-1' as string | null };
  /** Recorded policy versions, in any order; the active policy counts as recorded even if absent. */
  history: (ResponseOf<'policy:version'>)[] = [];
  calls: { channel: RequestChannel; req: unknown }[] = [];
  /** Answers to force for a channel (an error result, a slow promise). */
  overrides = new Map<RequestChannel, (req: unknown) => Promise<ConsoleResult<unknown>>>();
  private listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  private versions = 1;

  readonly api: ConsoleApi;

  constructor() {
    const handlers = this.handlers();
    const api: Record<string, unknown> = {};
    for (const [channel, fn] of Object.entries(handlers)) {
      api[channel] = async (req: unknown) => {
        this.calls.push({ channel: channel as RequestChannel, req });
        const forced = this.overrides.get(channel as RequestChannel);
        if (forced) return forced(req);
        return (fn as (r: unknown) => Promise<ConsoleResult<unknown>>)(req ?? {});
      };
    }
    api['on'] = (event: EventChannel, listener: (p: unknown) => void) => {
      let set = this.listeners.get(event);
      if (!set) this.listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    };
    this.api = api as ConsoleApi;
  }

  /** Pushes an event to every subscriber, as the main side would. */
  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  listenerCount(event: EventChannel): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  callsTo<C extends RequestChannel>(channel: C): RequestOf<C>[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.req as RequestOf<C>);
  }

  /** Every recorded version, newest first, the active one included. */
  recordedVersions(): ResponseOf<'policy:version'>[] {
    const all = [...this.history];
    if (this.policy.hash && !all.some((v) => v.hash === this.policy.hash)) {
      const newest = all.reduce((m, v) => Math.max(m, v.createdAt), 1_700_000_000);
      all.push({ hash: this.policy.hash, policyId: 'test', sourcePath: this.policy.path, createdAt: newest + 60, text: this.policy.text });
    }
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  private handlers(): { [C in RequestChannel]: (req: RequestOf<C>) => Promise<ConsoleResult<ResponseOf<C>>> } {
    const ok = <T>(value: T): Promise<ConsoleResult<T>> => Promise.resolve({ ok: true, value });
    const fail = <T>(code: 'NOT_FOUND' | 'CONFLICT' | 'POLICY_INVALID', message: string): Promise<ConsoleResult<T>> => Promise.resolve({ ok: false, error: { code, message } });
    const resolve = (ids: string[], status: 'approved' | 'denied', reason: string | undefined, extra: Partial<ApprovalView> = {}) =>
      ids.map((id) => {
        const a = this.approvals.find((x) => x.id === id);
        if (!a || a.status !== 'pending') return { id, ok: false, error: a ? `already ${a.status}` : 'not found' };
        const next: ApprovalView = { ...a, status, resolvedAt: Date.now() / 1000, resolvedBy: 'tester', resolutionReason: reason ?? null, ...extra };
        this.approvals = this.approvals.map((x) => (x.id === id ? next : x));
        return { id, ok: true, approval: next };
      });
    return {
      'session:info': () => ok({ version: '0.1.0', dbPath: '/tmp/capfence.db', policyPath: this.policy.path, policyHash: this.policy.hash, transport: 'electron' as const, gatewayUrl: 'http://127.0.0.1:7341/mcp', user: 'tester' }),
      'approvals:list': (req) => ok(this.approvals.filter((a) => req.status === 'all' || a.status === 'pending')),
      'approvals:approve': (req) => {
        const results = resolve(req.ids, 'approved', req.reason, req.editedArguments ? { editedArguments: req.editedArguments } : {});
        this.emit('approvals:changed', { approvals: results.flatMap((r) => ('approval' in r && r.approval ? [r.approval] : [])) });
        return ok(results);
      },
      'approvals:deny': (req) => {
        const results = resolve(req.ids, 'denied', req.reason);
        this.emit('approvals:changed', { approvals: results.flatMap((r) => ('approval' in r && r.approval ? [r.approval] : [])) });
        return ok(results);
      },
      'grants:list': (req) => ok(this.grants.filter((g) => req.activeOnly === false || g.revokedAt === null)),
      'grants:create': (req) => {
        const now = Date.now() / 1000;
        const g: GrantView = {
          id: `g${this.grants.length + 1}`,
          actor: req.actor,
          capability: req.capability,
          environment: req.environment ?? '*',
          sessionId: req.sessionId ?? null,
          usesLeft: req.uses ?? null,
          createdAt: now,
          expiresAt: req.durationSeconds ? now + req.durationSeconds : null,
          grantedBy: 'tester',
          reason: req.reason ?? null,
          revokedAt: null,
          revokedBy: null,
          tampered: false,
        };
        this.grants = [...this.grants, g];
        return ok(g);
      },
      'grants:revoke': (req) => {
        const g = this.grants.find((x) => x.id === req.id);
        if (!g) return fail('NOT_FOUND', `no grant \`${req.id}\``);
        const next = { ...g, revokedAt: Date.now() / 1000, revokedBy: 'tester' };
        this.grants = this.grants.map((x) => (x.id === req.id ? next : x));
        return ok(next);
      },
      'policy:get': () => ok({ ...this.policy }),
      'policy:versions': (req) => ok(this.recordedVersions().slice(0, req.limit ?? 50).map(({ text: _t, ...v }) => v)),
      'policy:version': (req) => {
        const v = this.recordedVersions().find((x) => x.hash === req.hash);
        return v ? ok(v) : fail('NOT_FOUND', 'no such version');
      },
      'policy:check': (req) => {
        const loaded = loadPolicyText(req.text, this.policy.path ?? 'policy.yaml', { read: (p) => (p.endsWith('base.yaml') ? 'version: 1\ndeny:\n  - shell.*\n' : undefined) });
        const diagnostics = loaded.ok ? [...loaded.diagnostics, ...lintPolicy(loaded.policy)] : loaded.diagnostics;
        return ok({ valid: loaded.ok, diagnostics: diagnostics.map(({ legacyMessage: _l, ...d }) => d) });
      },
      'policy:save': (req) => {
        if (req.baseHash !== this.policy.hash) return fail('CONFLICT', 'the policy changed');
        const loaded = loadPolicyText(req.text, 'x.yaml');
        if (!loaded.ok) return fail('POLICY_INVALID', loaded.diagnostics[0]?.message ?? 'invalid');
        this.history = this.recordedVersions();
        this.policy = { path: this.policy.path, text: req.text, hash: `hash-${++this.versions}` };
        this.history.push({ hash: this.policy.hash!, policyId: 'test', sourcePath: this.policy.path, createdAt: (this.history[0]?.createdAt ?? 1_700_000_000) + 60, text: req.text });
        return ok({ hash: this.policy.hash!, path: this.policy.path! });
      },
      'policy:replay': (req) => {
        const before = loadPolicyText(this.policy.text, 'active.yaml');
        const after = loadPolicyText(req.text, 'draft.yaml');
        if (!before.ok || !after.ok) return fail('POLICY_INVALID', 'policy does not load');
        const events = req.source.kind === 'audit' ? this.audit.slice(0, req.source.limit).map((e) => ({ ref: e.seq, actor: e.actor, capability: e.capability })) : parseTraceText(req.source.kind === 'trace-text' ? req.source.text : '');
        return ok(replayWith(before.policy, after.policy, events));
      },
      'audit:query': (req) => {
        const matches = this.audit.filter(
          (e) =>
            (req.beforeSeq === undefined || e.seq < req.beforeSeq) &&
            (!req.actor || e.actor === req.actor) &&
            (!req.capability || e.capability === req.capability) &&
            (!req.decision || e.decision === req.decision) &&
            (req.since === undefined || e.at >= req.since) &&
            (req.until === undefined || e.at <= req.until) &&
            (!req.text || `${e.actor} ${e.capability} ${e.tool} ${e.reason} ${e.rule ?? ''}`.includes(req.text)),
        );
        const sorted = [...matches].sort((a, b) => b.seq - a.seq);
        return ok({ entries: sorted.slice(0, req.limit ?? 200), head: this.audit.reduce((m, e) => Math.max(m, e.seq), 0) });
      },
      'audit:entry': (req) => {
        const entry = this.audit.find((e) => e.seq === req.seq);
        return entry ? ok({ entry: { ...entry, payload: { amount: 5000, token: 'secret-value' } }, policy: { hash: entry.policyHash, policyId: 'test', sourcePath: this.policy.path, createdAt: 0, text: this.policy.text } }) : fail('NOT_FOUND', `no entry #${req.seq}`);
      },
      'audit:verify': async () => {
        this.emit('audit:verifyProgress', { done: 0, total: this.audit.length });
        this.emit('audit:verifyProgress', { done: this.audit.length, total: this.audit.length });
        const broken = this.audit.find((e) => e.entryHash === 'tampered');
        return {
          ok: true,
          value: {
            valid: !broken,
            format: 'capfence' as const,
            entries: this.audit.length,
            checkpoints: 2,
            errors: broken ? [{ seq: broken.seq, kind: 'modified' as const, message: 'entry hash does not match its content' }] : [],
            warnings: [],
          },
        };
      },
      'audit:export': (req) => ok({ filename: `audit.${req.format}`, text: 'x', count: this.audit.length }),
    };
  }
}

function parseTraceText(text: string): { ref: number; actor: string; capability: string }[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim())
    .map(({ line, i }) => {
      const e = JSON.parse(line) as { actor?: string; capability?: string };
      return { ref: i + 1, actor: e.actor ?? 'unknown', capability: e.capability ?? '*' };
    });
}

const simple = (v: string): 'allow' | 'deny' | 'require_approval' => (v === 'allow' || v === 'warn' ? 'allow' : v === 'require_approval' ? 'require_approval' : 'deny');

function replayWith(before: Policy, after: Policy, events: { ref: number; actor: string; capability: string }[]): ResponseOf<'policy:replay'> {
  const b = compilePolicy(before);
  const a = compilePolicy(after);
  const count = () => ({ allow: 0, deny: 0, require_approval: 0 });
  const out = { total: events.length, before: count(), after: count(), changes: [] as ResponseOf<'policy:replay'>['changes'], warnings: [] as string[] };
  for (const e of events) {
    const input = { capability: e.capability, context: { actor: e.actor, environment: 'development' }, payload: {} };
    const x = simple(decide(b, input).verdict);
    const yx = decide(a, input);
    const y = simple(yx.verdict);
    out.before[x]++;
    out.after[y]++;
    // Deliberately in source order: the renderer must put newly allowed events first itself.
    if (x !== y) out.changes.push({ ref: e.ref, actor: e.actor, capability: e.capability, before: x, after: y, afterReason: yx.reason, afterRule: yx.rule });
  }
  return out;
}

let nextApproval = 0;

/** A pending approval with sensible defaults. */
export function makeApproval(over: Partial<ApprovalView> = {}): ApprovalView {
  const now = Date.now() / 1000;
  const n = ++nextApproval;
  return {
    id: `a${n}`,
    actor: 'agent-1',
    capability: 'payment.transfer',
    tool: 'pay',
    arguments: { amount: 10 },
    argumentsHash: `h${n}`,
    reason: 'policy_require_approval',
    rule: 'require_approval[0]',
    policyHash: 'hash-1',
    sessionId: null,
    risk: 0.5,
    status: 'pending',
    createdAt: now - 10,
    expiresAt: now + 600,
    resolvedAt: null,
    resolvedBy: null,
    resolutionReason: null,
    editedArguments: null,
    grantId: null,
    ...over,
  };
}

/** A grant with sensible defaults. */
export function makeGrant(over: Partial<GrantView> = {}): GrantView {
  const now = Date.now() / 1000;
  return { id: 'g1', actor: 'agent-1', capability: 'payment.transfer', environment: 'production', sessionId: null, usesLeft: null, createdAt: now - 60, expiresAt: now + 120, grantedBy: 'dana', reason: null, revokedAt: null, revokedBy: null, tampered: false, ...over };
}

/** `n` audit entries with seq 1..n, oldest first; `at` one minute apart. */
export function makeAudit(n: number, over: (seq: number) => Partial<AuditEntryView> = () => ({})): AuditEntryView[] {
  const base = 1_700_000_000;
  return Array.from({ length: n }, (_, i) => {
    const seq = i + 1;
    return {
      seq,
      at: base + seq * 60,
      kind: 'decision',
      actor: seq % 2 === 0 ? 'agent-even' : 'agent-odd',
      capability: seq % 3 === 0 ? 'shell.exec' : 'files.read',
      tool: 'tool',
      decision: seq % 3 === 0 ? 'deny' : 'allow',
      authorized: seq % 3 !== 0,
      reason: 'policy_allow',
      rule: 'allow[0]',
      policyHash: 'hash-1',
      environment: 'production',
      sessionId: null,
      approvalId: null,
      approver: null,
      approverReason: null,
      payloadCommitment: `c${seq}`,
      prevHash: `p${seq}`,
      entryHash: `e${seq}`,
      ...over(seq),
    };
  });
}
