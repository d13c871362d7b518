// Environment: node. `capfence console`: argument checks in-process, and the whole stack
// (store, runtime, local gateway, loopback console) started as the command starts it.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runCli } from '../../../main/cli/main.js';
import { memoryIo } from '../../../main/cli/io.js';
import { packageRoot, resolveConsolePolicy, startConsole, type RunningConsole } from '../../../main/cli/commands/console.js';
import { createConsoleApi } from '../../../shared/ipc/client.js';
import { createWsTransport, type SocketLike } from '../../../renderer/api/ws-transport.js';
import { tempHome } from '../../helpers/temp.js';

const running: RunningConsole[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

const status = (url: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

describe('capfence console', () => {
  it('refuses bad arguments with usage errors', async () => {
    const t = tempHome();
    for (const argv of [['console', '--port', 'abc'], ['console', '--port', '70000'], ['console', '--gateway-port', '-1'], ['console', '--policy', 'missing.yaml'], ['console', '--bogus']]) {
      const io = memoryIo(t.home, t.env);
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(/^error: /);
    }
  });

  it('creates the default policy in CAPFENCE_HOME and refuses an invalid one', async () => {
    const t = tempHome();
    const r = resolveConsolePolicy(undefined, { cwd: t.home, env: t.env });
    expect(r).toEqual({ path: join(t.home, 'policy.yaml'), created: true });
    expect(readFileSync(r.path, 'utf8')).toBe(readFileSync(join(packageRoot(), 'policies', 'default.yaml'), 'utf8'));
    expect(resolveConsolePolicy(undefined, { cwd: t.home, env: t.env }).created).toBe(false);
    const io = memoryIo(t.home, t.env);
    expect(await runCli(['console', '--policy', join(packageRoot(), 'test/fixtures/policies/typo.yaml'), '--no-open'], io)).toBe(2);
    expect(io.err()).toMatch(/typo\.yaml:\d+:\d+: error:/);
  });

  it('runs the store, runtime, gateway and console together; a saved policy reaches the gateway runtime', async () => {
    const t = tempHome();
    const policy = resolveConsolePolicy(undefined, { cwd: t.home, env: t.env });
    const c = await startConsole({ policyPath: policy.path, dbPath: t.db, env: t.env, user: 'tester' });
    running.push(c);
    expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{43}$/);
    const base = c.url.split('#')[0] as string;
    expect(await status(base)).toBe(existsSync(join(packageRoot(), 'dist/renderer/index.html')) ? 200 : 404);
    expect(c.gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const port = c.server.port;
    const transport = createWsTransport({ url: `ws://127.0.0.1:${port}/ws?token=${c.server.token}`, connect: (u) => new WebSocket(u, { origin: `http://127.0.0.1:${port}` }) as unknown as SocketLike });
    const api = createConsoleApi(transport);
    try {
      const info = await api['session:info']({});
      expect(info).toMatchObject({ ok: true, value: { user: 'tester', dbPath: t.db, policyPath: policy.path, gatewayUrl: c.gateway.url, transport: 'websocket' } });
      const current = await api['policy:get']({});
      if (!current.ok) throw new Error(current.error.message);
      const draft = `${current.value.text}\n# saved from the console\n`;
      const saved = await api['policy:save']({ text: draft, baseHash: current.value.hash });
      expect(saved.ok).toBe(true);
      expect(c.runtime.policy.text).toBe(draft);
    } finally {
      transport.close();
    }
  });
});
