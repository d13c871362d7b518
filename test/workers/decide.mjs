// Worker: makes N decisions through a durable runtime and prints each verdict's audit seq, one
// JSON line per decision, so the parent knows exactly what a caller saw.
// usage: node decide.mjs <dist> <db> <policy> <actor> <count>
const [dist, db, policy, actor, count] = process.argv.slice(2);
const { ActionRuntime } = await import(`${dist}/main/runtime/action-runtime.js`);
const { ActionEvent } = await import(`${dist}/shared/events/action-event.js`);
const runtime = ActionRuntime.fromPolicy(policy, { db });
for (let i = 0; i < Number(count); i++) {
  const v = await runtime.execute(ActionEvent.create({ actor, action: 'read', resource: 'files', environment: 'w', payload: { i, actor } }));
  process.stdout.write(`${JSON.stringify({ i, seq: v.auditSeq ?? null, decision: v.decision, reason: v.reason })}\n`);
}
await runtime.close();
