// Worker: resolves an approval from another process, after an optional delay or at a shared start
// time, and prints the wall-clock time of the resolution and its result.
// usage: node approvals.mjs <dist> <db> <approve|deny> <id> <by> [delayMs] [startAtEpochMs] [reason]
const [dist, db, action, id, by, delay = '0', startAt = '0', reason] = process.argv.slice(2);
const { openStore } = await import(`${dist}/main/store/store.js`);
const store = openStore(db);
await new Promise((r) => setTimeout(r, Number(delay)));
while (Date.now() < Number(startAt)) {
  // Spin briefly so both racers start within the same millisecond.
}
const opts = { by, ...(reason ? { reason } : {}) };
const r = action === 'approve' ? await store.approvals.approve(id, opts) : await store.approvals.deny(id, opts);
const at = Date.now();
process.stdout.write(`${JSON.stringify({ ok: r.ok, at, error: r.ok ? null : r.error.code })}\n`);
await store.close();
