import { parentPort, workerData } from 'node:worker_threads';
import { entryHash, HASHED_COLUMNS } from './audit-log.js';
import { openReadOnly, verifyAuditLog, type VerifyOptions } from './verify.js';

/** One slice of the chain to check, as `verifyAuditLogAsync` hands it out. */
export interface SliceTask {
  mode: 'slice';
  dbPath: string;
  nativeBinding?: string;
  fromSeq: number;
  toSeq: number;
  /** Seqs whose stored hash a checkpoint vouches for. */
  checkpointSeqs: number[];
}

/** What a slice looked like: `clean` means every seq, hash and inner link was as written. */
export interface SliceResult {
  clean: boolean;
  count: number;
  firstPrev: string | null;
  lastHash: string | null;
  hashAt: [number, string][];
}

type RawRow = [number, number, string, string, string, string, string, number, string, string | null, string, string | null, string | null, string | null, string | null, string | null, string, string, string];

/**
 * Checks one seq range on its own connection. It only answers "clean or not": any anomaly sends
 * the caller back to the sequential pass, which names every break precisely.
 */
function checkSlice(task: SliceTask): SliceResult {
  const db = openReadOnly(task.dbPath, task.nativeBinding);
  try {
    const wanted = new Set(task.checkpointSeqs);
    const hashAt: [number, string][] = [];
    const stmt = db.prepare(`SELECT ${HASHED_COLUMNS.join(', ')}, entry_hash FROM audit_entries WHERE seq >= ? AND seq <= ? ORDER BY seq`).raw();
    let expected = task.fromSeq;
    let prev: string | null = null;
    let firstPrev: string | null = null;
    let count = 0;
    for (const r of stmt.iterate(task.fromSeq, task.toSeq) as IterableIterator<RawRow>) {
      const seq = r[0];
      if (seq !== expected) return { clean: false, count, firstPrev, lastHash: prev, hashAt };
      if (prev === null) firstPrev = r[17];
      else if (r[17] !== prev) return { clean: false, count, firstPrev, lastHash: prev, hashAt };
      const fields = {
        seq, at: r[1], kind: r[2], actor: r[3], capability: r[4], tool: r[5], decision: r[6], authorized: r[7] === 1, reason: r[8], rule: r[9],
        policyHash: r[10], environment: r[11], sessionId: r[12], approvalId: r[13], approver: r[14], approverReason: r[15], payloadCommitment: r[16], prevHash: r[17],
      };
      if (entryHash(fields) !== r[18]) return { clean: false, count, firstPrev, lastHash: prev, hashAt };
      if (wanted.has(seq)) hashAt.push([seq, r[18]]);
      prev = r[18];
      expected++;
      count++;
      if (count % 50_000 === 0) parentPort?.postMessage({ progress: 50_000 });
    }
    parentPort?.postMessage({ progress: count % 50_000 });
    return { clean: expected === task.toSeq + 1, count, firstPrev, lastHash: prev, hashAt };
  } finally {
    db.close();
  }
}

/** The whole sequential pass, off the caller's thread. */
interface FullTask {
  mode: 'full';
  dbPath: string;
  opts: Omit<VerifyOptions, 'onProgress'>;
}

const task = workerData as SliceTask | FullTask | undefined;
if (parentPort && task?.mode === 'slice') parentPort.postMessage({ result: checkSlice(task) });
if (parentPort && task?.mode === 'full') {
  const port = parentPort;
  try {
    const report = verifyAuditLog(task.dbPath, { ...task.opts, onProgress: (done, total) => port.postMessage({ done, total }) });
    port.postMessage({ report });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}
