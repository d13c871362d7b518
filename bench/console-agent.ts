import { ActionEvent } from '../shared/events/action-event.js';
import { ActionRuntime } from '../main/runtime/action-runtime.js';

/**
 * The console benchmark's agent, run as its own process: `count` payment requests that each need
 * approval, `intervalMs` apart, through the durable runtime (as a gateway or library user makes
 * them). Prints `done` when finished.
 * usage: node console-agent.js <db> <policy> <count> <intervalMs>
 */
const [db, policy, count = '50', interval = '30'] = process.argv.slice(2);
const runtime = ActionRuntime.fromPolicy(policy as string, { db: db as string });
for (let i = 0; i < Number(count); i++) {
  await runtime.execute(ActionEvent.create({ actor: 'bench-agent', action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount: 2000 + i } }));
  await new Promise((r) => setTimeout(r, Number(interval)));
}
await runtime.close();
process.stdout.write('done\n');
