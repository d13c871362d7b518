import { parentPort, workerData } from 'node:worker_threads';
import { chainLinkOf, sha256Hex } from './audit-log.js';
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

/**
 * Checks one seq range on its own connection: the stored canonical texts are hashed as they
 * are, and the seq and link each one records are read by position. It only answers "clean or
 * not": any anomaly sends the caller back to the sequential pass, which names every break.
 */
function checkSlice(task: SliceTask): SliceResult {
  const db = openReadOnly(task.dbPath, task.nativeBinding);
  try {
    // Reading through a memory map saves a copy per page on a pass that reads every page once.
    db.pragma('mmap_size = 1073741824');
    const wanted = new Set(task.checkpointSeqs);
    const hashAt: [number, string][] = [];
    let expected = task.fromSeq;
    let prev: string | null = null;
    let firstPrev: string | null = null;
    let count = 0;
    const dirty = () => ({ clean: false, count, firstPrev, lastHash: prev, hashAt });
    const rows = db.prepare('SELECT seq, canonical, entry_hash FROM audit_chain WHERE seq >= ? AND seq <= ? ORDER BY seq').raw();
    for (const [seq, canonical, stored] of rows.iterate(task.fromSeq, task.toSeq) as IterableIterator<[number, unknown, string]>) {
      if (seq !== expected || typeof canonical !== 'string' || sha256Hex(canonical) !== stored) return dirty();
      const link = chainLinkOf(canonical);
      if (!link || link.seq !== seq) return dirty();
      if (prev === null) firstPrev = link.prevHash;
      else if (link.prevHash !== prev) return dirty();
      if (wanted.has(seq)) hashAt.push([seq, stored]);
      prev = stored;
      expected++;
      count++;
      if (count % 50_000 === 0) parentPort?.postMessage({ progress: 50_000 });
    }
    parentPort?.postMessage({ progress: count % 50_000 });
    return { clean: expected === task.toSeq + 1, count, firstPrev, lastHash: prev, hashAt };
  } catch {
    // Anything unexpected in the file: let the sequential pass say what.
    return { clean: false, count: 0, firstPrev: null, lastHash: null, hashAt: [] };
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
