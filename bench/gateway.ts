import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { percentile, type BenchRow } from './measure.js';

// Compiled to dist/bench-build/bench/: the repository is three levels up.
const ROOT = join(import.meta.dirname, '../../..');
const EVERYTHING = realpathSync(join(ROOT, 'node_modules/.bin/mcp-server-everything'));
// The gateway is run from this same build, so the benchmark measures the code it was built with.
const CLI = fileURLToPath(new URL('../main/cli/main.js', import.meta.url));

const MCP = (f: string) => JSON.stringify(fileURLToPath(new URL(`../main/mcp/${f}`, import.meta.url)));
/** The same proxy and transports with a judge that forwards everything: the ceiling without decisions. */
const NULL_JUDGE_ENTRY = `
import { startPolicyProxy } from ${MCP('proxy.js')};
import { LineTransport } from ${MCP('line-transport.js')};
import { ChildProcessTransport } from ${MCP('child-transport.js')};
const [command, ...args] = process.argv.slice(1);
await startPolicyProxy({
  client: new LineTransport(process.stdin, process.stdout, { sendArrivedText: true }),
  upstream: new ChildProcessTransport({ command, args }),
  judge: { judge: async (call) => ({ kind: 'forward', arguments: call.arguments }) },
  serverName: 'everything',
  onClose: () => process.exit(0),
});
`;

/**
 * A Node process that only copies bytes between the client and the server (no framing, parsing
 * or decisions): what any proxy written in Node costs at least on this machine.
 */
const BYTE_RELAY_ENTRY = `
import { spawn } from 'node:child_process';
const child = spawn(process.argv[1], process.argv.slice(2), { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.on('exit', () => process.exit(0));
`;

const POLICY = `version: 1
allow:
  - mcp.everything.echo
`;

interface Connected {
  client: Client;
  pid: number;
}

async function connect(command: string, args: string[], env: Record<string, string>): Promise<Connected> {
  const client = new Client({ name: 'capfence-bench', version: '1.0.0' });
  const transport = new StdioClientTransport({ command, args, env, stderr: 'ignore' });
  await client.connect(transport);
  return { client, pid: transport.pid ?? -1 };
}

const CLOCK_TICK_US = 10_000;

/** CPU time (user + system) a process has used, in µs; 0 where /proc is not there. */
function procCpuUs(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is [0], utime [11], stime [12].
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US;
  } catch {
    return 0;
  }
}

/** The pid of a process's (only) child: the upstream server a proxy started. */
function childPid(pid: number): number {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (kids !== '') return Number(kids.split(' ')[0]);
    }
  } catch {
    // No /proc: no CPU rows.
  }
  return -1;
}

const selfCpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * Throughput plus the CPU each process spent per call: this benchmark process (the client),
 * and the given child processes (the server, and the gateway when there is one). Three
 * processes on two cores share them, so every µs the gateway spends is taken from the others.
 */
async function throughputWithCpu(c: Client, ms: number, concurrency: number, pids: readonly number[]): Promise<{ rate: number; cpuUsPerCall: number[] }> {
  const before = [selfCpuUs(), ...pids.map(procCpuUs)];
  const t0 = performance.now();
  const rate = await throughput(c, ms, concurrency);
  const calls = (rate * (performance.now() - t0)) / 1000;
  const after = [selfCpuUs(), ...pids.map(procCpuUs)];
  return { rate, cpuUsPerCall: after.map((a, i) => (a - (before[i] as number)) / calls) };
}

const echo = (c: Client, i: number) => c.callTool({ name: 'echo', arguments: { message: `m${i}` } });

/** Calls/s with `concurrency` calls kept in flight for `ms`. */
async function throughput(c: Client, ms: number, concurrency: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      await echo(c, done);
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - t0) / 1000);
}

/**
 * Added latency and throughput of `capfence gateway` (a real process, audited decisions into a
 * real SQLite store) against calling server-everything's `echo` directly, in the same run:
 * sequential calls interleaved one direct, one proxied, then saturating runs of each. Two more
 * rows explain the ratio: the proxy without decisions, and a Node process that only copies bytes.
 */
export async function runGatewayBench(opts: { calls?: number; throughputMs?: number; concurrency?: number } = {}): Promise<BenchRow[]> {
  const home = mkdtempSync(join(tmpdir(), 'capfence-bench-gw-'));
  const policy = join(home, 'policy.yaml');
  writeFileSync(policy, POLICY);
  const env = { ...(process.env as Record<string, string>), CAPFENCE_HOME: home };
  const entry = `import { main } from ${JSON.stringify(CLI)}; main(process.argv.slice(1)).then((c) => { process.exitCode = c; });`;
  const directConn = await connect(process.execPath, [EVERYTHING, 'stdio'], env);
  const proxiedConn = await connect(
    process.execPath,
    ['--input-type=module', '-e', entry, 'gateway', '--policy', policy, '--db', join(home, 'capfence.db'), '--server-name', 'everything', process.execPath, EVERYTHING, 'stdio'],
    env,
  );
  const bareConn = await connect(process.execPath, ['--input-type=module', '-e', NULL_JUDGE_ENTRY, process.execPath, EVERYTHING, 'stdio'], env);
  const relayConn = await connect(process.execPath, ['--input-type=module', '-e', BYTE_RELAY_ENTRY, process.execPath, EVERYTHING, 'stdio'], env);
  const [direct, proxied, bare, relay] = [directConn.client, proxiedConn.client, bareConn.client, relayConn.client];
  try {
    for (let i = 0; i < 300; i++) await Promise.all([echo(direct, i), echo(proxied, i), echo(bare, i), echo(relay, i)]);
    const n = opts.calls ?? 3000;
    const d: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < n; i++) {
      let t0 = performance.now();
      await echo(direct, i);
      d.push(performance.now() - t0);
      t0 = performance.now();
      await echo(proxied, i);
      p.push(performance.now() - t0);
    }
    const ms = opts.throughputMs ?? 3000;
    const conc = opts.concurrency ?? 16;
    const directRun = await throughputWithCpu(direct, ms, conc, [directConn.pid]);
    const proxiedRun = await throughputWithCpu(proxied, ms, conc, [childPid(proxiedConn.pid), proxiedConn.pid]);
    const bareRun = await throughputWithCpu(bare, ms, conc, [childPid(bareConn.pid), bareConn.pid]);
    const relayRun = await throughputWithCpu(relay, ms, conc, [childPid(relayConn.pid), relayConn.pid]);
    const [directRate, proxiedRate, bareRate] = [directRun.rate, proxiedRun.rate, bareRun.rate];
    // With many more calls in flight each wake-up carries more messages: the highest rate each path reaches here.
    const deep = 256;
    const [directDeep, proxiedDeep, relayDeep] = [await throughput(direct, ms, deep), await throughput(proxied, ms, deep), await throughput(relay, ms, deep)];
    const cpu = (run: string, who: readonly string[], us: readonly number[]): BenchRow[] =>
      who.map((w, i) => ({ name: `gateway.cpu_us_per_call.${run}.${w}`, unit: 'µs', value: us[i] as number }));
    const [d50, d99, p50, p99] = [percentile(d, 0.5), percentile(d, 0.99), percentile(p, 0.5), percentile(p, 0.99)];
    return [
      { name: 'gateway.echo_latency_p50_ms.direct', unit: 'ms', value: d50 },
      { name: 'gateway.echo_latency_p50_ms.proxied', unit: 'ms', value: p50, baseline: 'direct' },
      { name: 'gateway.added_latency_p50_ms', unit: 'ms', value: p50 - d50, baseline: 'target < 1 ms' },
      { name: 'gateway.echo_latency_p99_ms.direct', unit: 'ms', value: d99 },
      { name: 'gateway.echo_latency_p99_ms.proxied', unit: 'ms', value: p99, baseline: 'direct' },
      { name: 'gateway.added_latency_p99_ms', unit: 'ms', value: p99 - d99, baseline: 'target < 3 ms' },
      { name: `gateway.echo_calls_per_s.direct.c${conc}`, unit: 'calls/s', value: directRate },
      { name: `gateway.echo_calls_per_s.proxied.c${conc}`, unit: 'calls/s', value: proxiedRate, baseline: 'direct' },
      { name: 'gateway.throughput_vs_direct', unit: '%', value: (100 * proxiedRate) / directRate, baseline: 'target >= 80 %' },
      { name: `gateway.echo_calls_per_s.proxy_without_decisions.c${conc}`, unit: 'calls/s', value: bareRate, baseline: 'direct' },
      { name: `gateway.echo_calls_per_s.node_byte_relay.c${conc}`, unit: 'calls/s', value: relayRun.rate, baseline: 'direct' },
      { name: 'gateway.node_byte_relay_vs_direct', unit: '%', value: (100 * relayRun.rate) / directRate, baseline: 'ceiling of a Node proxy' },
      { name: `gateway.echo_calls_per_s.direct.c${deep}`, unit: 'calls/s', value: directDeep },
      { name: `gateway.echo_calls_per_s.proxied.c${deep}`, unit: 'calls/s', value: proxiedDeep, baseline: 'direct' },
      { name: `gateway.throughput_vs_direct.c${deep}`, unit: '%', value: (100 * proxiedDeep) / directDeep },
      { name: `gateway.node_byte_relay_vs_direct.c${deep}`, unit: '%', value: (100 * relayDeep) / directDeep, baseline: 'ceiling of a Node proxy' },
      ...cpu('direct', ['client', 'server'], directRun.cpuUsPerCall),
      ...cpu('proxied', ['client', 'server', 'gateway'], proxiedRun.cpuUsPerCall),
      ...cpu('proxy_without_decisions', ['client', 'server', 'proxy'], bareRun.cpuUsPerCall),
      ...cpu('node_byte_relay', ['client', 'server', 'relay'], relayRun.cpuUsPerCall),
    ];
  } finally {
    await Promise.all([direct.close(), proxied.close(), bare.close(), relay.close()]);
    rmSync(home, { recursive: true, force: true });
  }
}
