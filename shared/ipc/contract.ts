import { z } from 'zod';

/**
 * The one console contract: every request the renderer can make and every event the main side
 * pushes, with schemas. The Electron preload, the IPC handlers, the WebSocket bridge and the
 * renderer's client are all typed from these two maps; payloads are parsed with them on the
 * receiving side, so nothing crosses a boundary unchecked.
 */

const id = z.string().min(1).max(200);
const text = (max: number) => z.string().max(max);
/** JSON arguments of a tool call (edited by an approver). */
const jsonObject = z.record(z.string(), z.unknown());

export const approvalSchema = z.object({
  id: z.string(),
  actor: z.string(),
  capability: z.string(),
  tool: z.string(),
  arguments: jsonObject,
  argumentsHash: z.string(),
  reason: z.string(),
  rule: z.string().nullable(),
  policyHash: z.string().nullable(),
  sessionId: z.string().nullable(),
  risk: z.number(),
  status: z.enum(['pending', 'approved', 'denied', 'expired', 'cancelled', 'consumed']),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  resolvedBy: z.string().nullable(),
  resolutionReason: z.string().nullable(),
  editedArguments: jsonObject.nullable(),
  grantId: z.string().nullable(),
});

export const grantSchema = z.object({
  id: z.string(),
  actor: z.string(),
  capability: z.string(),
  environment: z.string(),
  sessionId: z.string().nullable(),
  usesLeft: z.number().nullable(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  grantedBy: z.string(),
  reason: z.string().nullable(),
  revokedAt: z.number().nullable(),
  revokedBy: z.string().nullable(),
  /** The row's signature does not match: it was edited outside CapFence and is never honoured. */
  tampered: z.boolean(),
});

export const auditEntrySchema = z.object({
  seq: z.number(),
  at: z.number(),
  kind: z.string(),
  actor: z.string(),
  capability: z.string(),
  tool: z.string(),
  decision: z.string(),
  authorized: z.boolean(),
  reason: z.string(),
  rule: z.string().nullable(),
  policyHash: z.string(),
  environment: z.string().nullable(),
  sessionId: z.string().nullable(),
  approvalId: z.string().nullable(),
  approver: z.string().nullable(),
  approverReason: z.string().nullable(),
  payloadCommitment: z.string(),
  prevHash: z.string(),
  entryHash: z.string(),
  payload: z.unknown().optional(),
  redacted: z.boolean().optional(),
});

export const diagnosticSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  location: z.object({ file: z.string(), line: z.number(), column: z.number() }).optional(),
  hint: z.string().optional(),
});

export const policyVersionSchema = z.object({
  hash: z.string(),
  policyId: z.string(),
  sourcePath: z.string().nullable(),
  createdAt: z.number(),
});

const auditFilter = z.object({
  actor: text(500).optional(),
  capability: text(500).optional(),
  decision: text(100).optional(),
  kind: text(100).optional(),
  /** Unix seconds. */
  since: z.number().optional(),
  until: z.number().optional(),
  /** Free text over actor, capability, tool, reason and rule. */
  text: text(500).optional(),
});

const verifyProblemSchema = z.object({
  seq: z.number().nullable(),
  kind: z.enum(['modified', 'deleted', 'inserted', 'reordered', 'truncated_tail', 'bad_signature', 'unknown_key', 'legacy']),
  message: z.string(),
});

const replaySource = z.discriminatedUnion('kind', [
  /** A trace file on the main side's disk (the original's header format or raw legacy lines). */
  z.object({ kind: z.literal('trace-file'), path: text(4096) }),
  /** Trace text the user dropped or pasted into the window. */
  z.object({ kind: z.literal('trace-text'), text: text(64 * 1024 * 1024) }),
  /** The newest audited decisions of the open store. */
  z.object({ kind: z.literal('audit'), limit: z.number().int().min(1).max(100_000) }),
]);

const replayChange = z.object({
  /** Position in the source (trace line, or audit seq). */
  ref: z.number(),
  actor: z.string(),
  capability: z.string(),
  before: z.enum(['allow', 'deny', 'require_approval']),
  after: z.enum(['allow', 'deny', 'require_approval']),
  afterReason: z.string(),
  afterRule: z.string().nullable(),
});

/** Request channels: `'<area>:<verb>'` → request and response schemas. */
export const requests = {
  'session:info': {
    request: z.object({}),
    response: z.object({
      version: z.string(),
      dbPath: z.string(),
      policyPath: z.string().nullable(),
      policyHash: z.string().nullable(),
      transport: z.enum(['electron', 'websocket']),
      /** The local MCP gateway's base URL, when it runs. */
      gatewayUrl: z.string().nullable(),
      /** Who the console records as the approver (the OS user by default). */
      user: z.string(),
    }),
  },
  'approvals:list': {
    request: z.object({ status: z.enum(['pending', 'all']).default('pending'), limit: z.number().int().min(1).max(100_000).default(10_000) }),
    response: z.array(approvalSchema),
  },
  'approvals:approve': {
    request: z.object({
      ids: z.array(id).min(1).max(10_000),
      reason: text(2000).optional(),
      /** Also grant the same actor and capability for this many seconds. */
      grantForSeconds: z.number().int().positive().max(31 * 24 * 3600).optional(),
      /** Run with these arguments instead (only with a single id). */
      editedArguments: jsonObject.optional(),
    }),
    response: z.array(z.object({ id: z.string(), ok: z.boolean(), error: z.string().optional(), approval: approvalSchema.optional() })),
  },
  'approvals:deny': {
    request: z.object({ ids: z.array(id).min(1).max(10_000), reason: text(2000).optional() }),
    response: z.array(z.object({ id: z.string(), ok: z.boolean(), error: z.string().optional(), approval: approvalSchema.optional() })),
  },
  'grants:list': {
    request: z.object({ activeOnly: z.boolean().default(true) }),
    response: z.array(grantSchema),
  },
  'grants:create': {
    request: z.object({
      actor: id,
      capability: text(500).min(1),
      environment: text(200).optional(),
      durationSeconds: z.number().int().positive().max(366 * 24 * 3600).optional(),
      uses: z.number().int().positive().max(1_000_000).optional(),
      sessionId: text(200).optional(),
      reason: text(2000).optional(),
    }),
    response: grantSchema,
  },
  'grants:revoke': {
    request: z.object({ id }),
    response: grantSchema,
  },
  'policy:get': {
    request: z.object({}),
    response: z.object({ path: z.string().nullable(), text: z.string(), hash: z.string().nullable() }),
  },
  'policy:versions': {
    request: z.object({ limit: z.number().int().min(1).max(1000).default(50) }),
    response: z.array(policyVersionSchema),
  },
  'policy:version': {
    request: z.object({ hash: id }),
    response: policyVersionSchema.extend({ text: z.string() }),
  },
  /** Validates and lints a draft on the main side (which can read `extends` parents from disk). */
  'policy:check': {
    request: z.object({ text: text(4 * 1024 * 1024) }),
    response: z.object({ valid: z.boolean(), diagnostics: z.array(diagnosticSchema) }),
  },
  /** Saves a draft as the active policy: written to the policy file, recorded as a new version. */
  'policy:save': {
    request: z.object({ text: text(4 * 1024 * 1024), baseHash: z.string().nullable() }),
    response: z.object({ hash: z.string(), path: z.string() }),
  },
  /** Decides every event of a source under the active policy and under the draft. */
  'policy:replay': {
    request: z.object({ text: text(4 * 1024 * 1024), source: replaySource }),
    response: z.object({
      total: z.number(),
      before: z.object({ allow: z.number(), deny: z.number(), require_approval: z.number() }),
      after: z.object({ allow: z.number(), deny: z.number(), require_approval: z.number() }),
      /** Events whose decision changes; newly allowed first. */
      changes: z.array(replayChange),
      warnings: z.array(z.string()),
    }),
  },
  'audit:query': {
    request: auditFilter.extend({
      /** Entries older than this seq (paging back from the newest). */
      beforeSeq: z.number().int().optional(),
      limit: z.number().int().min(1).max(5000).default(200),
    }),
    response: z.object({ entries: z.array(auditEntrySchema), head: z.number() }),
  },
  'audit:entry': {
    request: z.object({ seq: z.number().int() }),
    response: z.object({ entry: auditEntrySchema, policy: policyVersionSchema.extend({ text: z.string() }).nullable() }),
  },
  /** Verifies a log (the open store by default, or another file such as an original CapFence log). */
  'audit:verify': {
    request: z.object({ path: text(4096).optional() }),
    response: z.object({
      valid: z.boolean(),
      format: z.enum(['capfence', 'legacy-python']),
      entries: z.number(),
      checkpoints: z.number(),
      errors: z.array(verifyProblemSchema),
      warnings: z.array(z.string()),
    }),
  },
  'audit:export': {
    request: auditFilter.extend({ format: z.enum(['jsonl', 'csv']) }),
    response: z.object({ filename: z.string(), text: z.string(), count: z.number() }),
  },
} as const;

/** Pushed events: main → renderer, never the other way. */
export const events = {
  /** Approvals created or changed by any process (the rows as they are now). */
  'approvals:changed': z.object({ approvals: z.array(approvalSchema) }),
  'grants:changed': z.object({ grants: z.array(grantSchema) }),
  /** New audit entries exist up to `head`. */
  'audit:appended': z.object({ head: z.number() }),
  'policy:changed': z.object({ hash: z.string(), path: z.string().nullable() }),
  'audit:verifyProgress': z.object({ done: z.number(), total: z.number() }),
} as const;

export type RequestChannel = keyof typeof requests;
export type EventChannel = keyof typeof events;
/** What a caller passes (defaults optional). */
export type RequestOf<C extends RequestChannel> = z.input<(typeof requests)[C]['request']>;
/** What a handler receives after parsing (defaults filled). */
export type ParsedRequestOf<C extends RequestChannel> = z.output<(typeof requests)[C]['request']>;
export type ResponseOf<C extends RequestChannel> = z.output<(typeof requests)[C]['response']>;
export type EventOf<E extends EventChannel> = z.output<(typeof events)[E]>;

export type ApprovalView = z.output<typeof approvalSchema>;
export type GrantView = z.output<typeof grantSchema>;
export type AuditEntryView = z.output<typeof auditEntrySchema>;
export type DiagnosticView = z.output<typeof diagnosticSchema>;
export type PolicyVersionView = z.output<typeof policyVersionSchema>;

/** Error codes a request can fail with; the renderer switches on them exhaustively. */
export type ConsoleErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'POLICY_INVALID' | 'STORE_ERROR' | 'FORBIDDEN' | 'INTERNAL';

export interface ConsoleError {
  code: ConsoleErrorCode;
  message: string;
}

/** Every request resolves to a result; nothing throws across the boundary. */
export type ConsoleResult<T> = { ok: true; value: T } | { ok: false; error: ConsoleError };

/** The renderer's whole view of the main side: one function per request channel, plus events. */
export type ConsoleApi = {
  [C in RequestChannel]: (req: RequestOf<C>) => Promise<ConsoleResult<ResponseOf<C>>>;
} & {
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void;
};

export const requestChannels = Object.keys(requests) as RequestChannel[];
export const eventChannels = Object.keys(events) as EventChannel[];

/** Parses a request payload with its channel's schema: the only way a handler sees input. */
export function parseRequest<C extends RequestChannel>(channel: C, payload: unknown): ConsoleResult<ParsedRequestOf<C>> {
  const schema = requests[channel]?.request;
  if (!schema) return { ok: false, error: { code: 'BAD_REQUEST', message: `unknown channel \`${String(channel)}\`` } };
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` at \`${first.path.join('.')}\`` : '';
    return { ok: false, error: { code: 'BAD_REQUEST', message: `invalid \`${channel}\` request${where}: ${first?.message ?? 'malformed'}` } };
  }
  return { ok: true, value: parsed.data as ParsedRequestOf<C> };
}

/** True when `name` is a request channel of the contract (for transports receiving raw names). */
export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}
