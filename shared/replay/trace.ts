import { parsePyJson } from '../py/json.js';
import { pyJsonDumps } from '../py/json.js';
import { isPyFloatBox } from '../py/values.js';
import { sha256Hex } from '../sha256.js';

/** One raw trace line, as written by an agent recorder or the original's replay header format. */
export type RawTraceEvent = Record<string, unknown>;

export interface ParsedTrace {
  /** The `capfence_replay_version` header, when the trace has one. */
  header?: Record<string, unknown>;
  events: RawTraceEvent[];
  /** 1-based line of each event in the file (array traces: its position). */
  lines: number[];
  /** Things we tolerated that the original rejects (missing header, unknown keys). */
  warnings: string[];
}

export class TraceError extends Error {
  override name = 'TraceError';
  constructor(message: string, readonly line?: number) {
    super(message);
  }
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !isPyFloatBox(v);

/** Traces larger than this are refused rather than read into memory. */
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;

/**
 * Parses a trace: a JSON array or JSONL, with the original's optional header line
 * (`{"capfence_replay_version": "1.0", "checksum": ...}`) — or, unlike the original, without one.
 * Throws `TraceError` with the line number on bad input.
 */
export function parseTrace(text: string): ParsedTrace {
  if (text.length > MAX_TRACE_BYTES) throw new TraceError(`trace is ${text.length} bytes, over the ${MAX_TRACE_BYTES}-byte limit`);
  const stripped = text.trim();
  let items: unknown[] | undefined;
  let lines: number[] = [];
  if (stripped.startsWith('[')) {
    const r = parsePyJson(stripped);
    if (r.ok && Array.isArray(r.value)) {
      const arr: unknown[] = r.value;
      items = arr;
      lines = arr.map((_, i) => i + 1);
    }
  }
  if (!items) {
    const parsed: unknown[] = [];
    const raw = text.split('\n');
    for (let i = 0; i < raw.length; i++) {
      const line = (raw[i] as string).trim();
      if (line === '') continue;
      const r = parsePyJson(line);
      if (!r.ok) throw new TraceError(`invalid json on trace line ${i + 1}, column ${r.error.column}: ${r.error.message}`, i + 1);
      parsed.push(r.value);
      lines.push(i + 1);
    }
    items = parsed;
  }
  if (items.length === 0) throw new TraceError('empty or invalid trace file');
  const warnings: string[] = [];
  const first = items[0];
  let header: Record<string, unknown> | undefined;
  if (isMapping(first) && Object.hasOwn(first, 'capfence_replay_version')) {
    header = first;
    const version = first['capfence_replay_version'];
    if (version !== '1.0') {
      throw new TraceError(`unsupported replay trace version \`${pyJsonDumps(version)}\`; expected the string "1.0"`, lines[0]);
    }
    items = items.slice(1);
    lines = lines.slice(1);
    const checksum = header['checksum'];
    if (checksum && checksum !== 'ignore' && checksum !== 'auto') {
      const actual = traceChecksum(items);
      if (actual !== checksum) {
        throw new TraceError(`replay integrity verification failed: trace checksum mismatch (expected ${actual}, got ${String(checksum)})`, lines[0]);
      }
    }
  } else {
    warnings.push('trace has no `capfence_replay_version` header; replaying it as a raw recorded trace');
  }
  items.forEach((it, i) => {
    if (!isMapping(it)) throw new TraceError(`trace event ${i + 1} is not a json object`, lines[i]);
  });
  return { ...(header ? { header } : {}), events: items as RawTraceEvent[], lines, warnings };
}

/** The original's trace checksum: sha256 of Python `json.dumps(events, sort_keys=True)`, first 8 hex digits. */
export function traceChecksum(events: readonly unknown[]): string {
  return sha256Hex(pyJsonDumps(events, { sortKeys: true })).slice(0, 8);
}
