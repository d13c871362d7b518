import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionEvent } from '../../../shared/events/action-event.js';
import type { EventChannel, EventOf } from '../../../shared/ipc/contract.js';
import { createConsoleService, type ConsoleService } from '../../../main/console/service.js';
import { loadPolicyForRuntime } from '../../../main/policy/load-policy.js';
import { ActionRuntime } from '../../../main/runtime/action-runtime.js';
import { StoreBackend } from '../../../main/runtime/store-backend.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { tempHome } from '../../helpers/temp.js';

export const PAYMENTS = join(import.meta.dirname, '../../fixtures/policies/payments.yaml');
export const WORKERS = join(import.meta.dirname, '../../workers');

/** A payment transfer event for the payments fixture policy (over 1000 needs approval). */
export const transfer = (amount: number, extra: Record<string, unknown> = {}, actor = 'agent') =>
  ActionEvent.create({ actor, action: 'transfer', resource: 'payment', environment: 'prod', payload: { amount, ...extra } });

export interface Harness {
  t: ReturnType<typeof tempHome>;
  policyPath: string;
  store: Store;
  runtime: ActionRuntime;
  service: ConsoleService;
  events: { event: EventChannel; payload: unknown; at: number }[];
  /** Resolves with the first event of `name` matching `pred` (already received ones count). */
  next<E extends EventChannel>(name: E, pred?: (p: EventOf<E>) => boolean, timeoutMs?: number): Promise<EventOf<E>>;
  close(): Promise<void>;
}

/** A real store in a temp CAPFENCE_HOME, a runtime on the payments policy and a console service over them. */
export function harness(): Harness {
  const t = tempHome('capfence-console-');
  const policyPath = join(t.home, 'policy.yaml');
  copyFileSync(PAYMENTS, policyPath);
  const store = openStore(t.db, { env: t.env });
  const runtime = ActionRuntime.fromLoaded(loadPolicyForRuntime(policyPath), { backend: new StoreBackend(store, false) });
  const service = createConsoleService({ store, policyPath, user: 'alice', transport: 'websocket', home: t.home, runtime, policyPollMs: 50 });
  const events: Harness['events'] = [];
  service.subscribe((event, payload) => void events.push({ event, payload, at: Date.now() }));
  const next: Harness['next'] = (name, pred, timeoutMs = 3000) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        const hit = events.find((e) => e.event === name && (!pred || pred(e.payload as never)));
        if (hit) return resolve(hit.payload as never);
        if (Date.now() - started > timeoutMs) return reject(new Error(`no \`${name}\` event within ${timeoutMs} ms`));
        setTimeout(tick, 5);
      };
      tick();
    });
  return {
    t,
    policyPath,
    store,
    runtime,
    service,
    events,
    next,
    async close() {
      service.close();
      await store.close();
    },
  };
}
