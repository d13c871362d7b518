// Worker: an agent in its own process asking for a payment through the durable runtime, as a
// gateway or library user would. Prints JSON lines: `started`, then the verdict with the time it
// arrived (for `wait`, after a person decided in the console).
// usage: node console-agent.mjs <dist> <db> <policy> <request|wait> <amount> [waitMs]
const [dist, db, policy, mode, amount, waitMs = '10000'] = process.argv.slice(2);
const { ActionRuntime } = await import(`${dist}/main/runtime/action-runtime.js`);
const { ActionEvent } = await import(`${dist}/shared/events/action-event.js`);
const runtime = ActionRuntime.fromPolicy(policy, { db });
const event = ActionEvent.create({ actor: 'agent-proc', action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount: Number(amount) } });
process.stdout.write(`${JSON.stringify({ phase: 'started', at: Date.now() })}\n`);
const sent = Date.now();
const v = await runtime.execute(event, mode === 'wait' ? { waitForApproval: Number(waitMs) } : {});
process.stdout.write(`${JSON.stringify({ phase: 'verdict', sent, at: Date.now(), decision: v.decision, reason: v.reason, approvalId: v.approvalId ?? null, approver: v.approver ?? null })}\n`);
await runtime.close();
