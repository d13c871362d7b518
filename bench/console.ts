import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { createConsoleApi } from '../shared/ipc/client.js';
import type { ConsoleApi } from '../shared/ipc/contract.js';
import { createConsoleService, type ConsoleService } from '../main/console/service.js';
import { startConsoleServer, type ConsoleServer } from '../main/console/server.js';
import { openStore, type Store } from '../main/store/store.js';
import { createWsTransport, type SocketLike, type WsTransport } from '../renderer/api/ws-transport.js';
import { generateLog } from './generate-log.js';
import { percentile, type BenchRow } from './measure.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const POLICY = join(ROOT, '../test/fixtures/policies/payments.yaml');

interface Console {
  home: string;
  db: string;
  store: Store;
  service: ConsoleService;
  server: ConsoleServer;
  api: ConsoleApi;
  transport: WsTransport;
  close(): Promise<void>;
}

/** The browser console's whole path: store → service → loopback server → renderer transport → validating client. */
async function startConsole(prepare?: (db: string) => void): Promise<Console> {
  const home = mkdtempSync(join(tmpdir(), 'capfence-bench-console-'));
  const db = join(home, 'capfence.db');
  const env = { ...process.env, CAPFENCE_HOME: home };
  prepare?.(db);
  const policyPath = join(home, 'policy.yaml');
  copyFileSync(POLICY, policyPath);
  const store = openStore(db, { env });
  const service = createConsoleService({ store, policyPath, user: 'bench', transport: 'websocket', home });
  const staticDir = join(home, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
  const server = await startConsoleServer({ service, staticDir });
  const transport = createWsTransport({ url: `ws://127.0.0.1:${server.port}/ws?token=${server.token}`, connect: (u) => new WebSocket(u, { origin: `http://127.0.0.1:${server.port}` }) as unknown as SocketLike });
  const api = createConsoleApi(transport);
  const info = await api['session:info']({});
  if (!info.ok) throw new Error(info.error.message);
  return {
    home,
    db,
    store,
    service,
    server,
    api,
    transport,
    async close() {
      transport.close();
      await server.close();
      service.close();
      await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Agent request in another process → `approvals:changed` received over the WebSocket; baseline: polling `store.approvals.list`. */
async function pushLatency(rows: BenchRow[]): Promise<void> {
  const c = await startConsole();
  const count = 60;
  const pushed: number[] = [];
  const seen = new Set<string>();
  c.api.on('approvals:changed', (p) => {
    const now = Date.now();
    for (const a of p.approvals) {
      if (a.status !== 'pending' || seen.has(a.id)) continue;
      seen.add(a.id);
      pushed.push(now - a.createdAt * 1000);
    }
  });
  // The baseline a UI without the change feed would use: list the queue every 20 ms on its own connection.
  const poller = openStore(c.db, { env: { ...process.env, CAPFENCE_HOME: c.home } });
  const polled: number[] = [];
  const pollCost: number[] = [];
  const known = new Set<string>();
  let polling = true;
  const poll = async () => {
    while (polling) {
      const t0 = performance.now();
      const list = await poller.approvals.list({ status: 'pending' });
      pollCost.push(performance.now() - t0);
      const now = Date.now();
      for (const a of list) {
        if (known.has(a.id)) continue;
        known.add(a.id);
        polled.push(now - a.createdAt * 1000);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const polling$ = poll();
  await run(process.execPath, [join(import.meta.dirname, 'console-agent.js'), c.db, POLICY, String(count), '30'], { env: { ...process.env, CAPFENCE_HOME: c.home } });
  await new Promise((r) => setTimeout(r, 200));
  polling = false;
  await polling$;
  await poller.close();
  await c.close();
  if (pushed.length !== count) throw new Error(`only ${pushed.length} of ${count} approvals were pushed`);
  rows.push({ name: 'console.request_to_ws_event_ms.p50', unit: 'ms', value: percentile(pushed, 0.5) });
  rows.push({ name: 'console.request_to_ws_event_ms.p95', unit: 'ms', value: percentile(pushed, 0.95) });
  rows.push({ name: 'console.baseline_list_poll_20ms.detect_ms.p50', unit: 'ms', value: percentile(polled, 0.5), baseline: 'change feed over the WebSocket' });
  rows.push({ name: 'console.baseline_list_poll_20ms.detect_ms.p95', unit: 'ms', value: percentile(polled, 0.95) });
  rows.push({ name: 'console.baseline_list_poll.cost_per_poll_ms.p50', unit: 'ms', value: percentile(pollCost, 0.5) });
}

/** Wall time of `f` over `n` runs: median and max. */
async function timeIt(n: number, f: () => Promise<unknown>): Promise<{ p50: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 0.5), max: Math.max(...times) };
}

/** `audit:query` pages over the WebSocket on a 1,000,000-entry log; baseline: the same page in raw SQL. */
async function auditPages(rows: BenchRow[]): Promise<void> {
  const n = 1_000_000;
  const c = await startConsole((db) => generateLog(db, n));
  const page = async (req: Parameters<ConsoleApi['audit:query']>[0], want?: number) => {
    const r = await c.api['audit:query'](req);
    if (!r.ok) throw new Error(r.error.message);
    if (want !== undefined && r.value.entries.length !== want) throw new Error(`expected ${want} entries, got ${r.value.entries.length}`);
    return r.value;
  };
  const first = await timeIt(20, () => page({ limit: 200 }, 200));
  const deep = await timeIt(20, () => page({ limit: 200, beforeSeq: 500_000 }, 200));
  const last = await timeIt(20, () => page({ limit: 200, beforeSeq: 201 }, 200));
  const actor = await timeIt(10, () => page({ limit: 200, actor: 'agent-3' }, 200));
  const actorDeep = await timeIt(10, () => page({ limit: 200, actor: 'agent-3', beforeSeq: 100_000 }, 200));
  const rare = await timeIt(3, () => page({ limit: 200, kind: 'grant' }, 0));
  const rareActor = await timeIt(3, () => page({ limit: 200, actor: 'nobody' }, 0));
  const text = await timeIt(3, () => page({ limit: 200, text: 'no-such-thing' }, 0));
  const raw = new Database(c.db, { readonly: true });
  const stmt = raw.prepare('SELECT e.*, p.payload, p.redacted_at FROM audit_entries e LEFT JOIN audit_payloads p ON p.seq = e.seq WHERE e.seq < ? ORDER BY e.seq DESC LIMIT 200');
  const baseline = await timeIt(20, async () => stmt.all(500_000));
  raw.close();
  await c.close();
  rows.push({ name: 'console.audit_query_ms.entries_1000000.first_page', unit: 'ms', value: first.p50 });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.deep_page_seq_500000', unit: 'ms', value: deep.p50 });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.oldest_page', unit: 'ms', value: last.p50 });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.deep_page.max', unit: 'ms', value: Math.max(first.max, deep.max, last.max) });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.actor_filter', unit: 'ms', value: actor.p50 });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.actor_filter_deep', unit: 'ms', value: actorDeep.p50 });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.no_match_kind_partial_index', unit: 'ms', value: rare.p50 });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.no_match_actor_full_scan', unit: 'ms', value: rareActor.p50 });
  rows.push({ name: 'console.audit_query_ms.entries_1000000.no_match_text_full_scan', unit: 'ms', value: text.p50 });
  rows.push({ name: 'console.baseline_raw_sql_page_ms.entries_1000000', unit: 'ms', value: baseline.p50, baseline: 'audit:query over the WebSocket' });
}

/** Live push latency and audit paging, each against its baseline in the same run. */
export async function runConsoleBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  await pushLatency(rows);
  await auditPages(rows);
  return rows;
}
