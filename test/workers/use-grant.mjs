// Worker: asks for one require_approval decision at a shared start time (grant race).
// usage: node use-grant.mjs <dist> <db> <policy> <startAtEpochMs>
const [dist, db, policy, startAt] = process.argv.slice(2);
const { ActionRuntime } = await import(`${dist}/main/runtime/action-runtime.js`);
const { ActionEvent } = await import(`${dist}/shared/events/action-event.js`);
const runtime = ActionRuntime.fromPolicy(policy, { db });
while (Date.now() < Number(startAt)) {
  // Start together.
}
const v = await runtime.execute(ActionEvent.create({ actor: 'agent', action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount: 5000 } }));
process.stdout.write(`${JSON.stringify({ decision: v.decision, reason: v.reason })}\n`);
await runtime.close();
