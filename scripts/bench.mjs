#!/usr/bin/env node
// `npm run bench [-- --out FILE] [-- --only engine,audit]`: compiles the benchmarks, runs every
// hot path's benchmark with its baseline in the same run, prints a table and optionally writes
// the figures as JSON rows {name, unit, value}.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args[outIdx + 1] : undefined;
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? new Set(args[onlyIdx + 1].split(',')) : undefined;

const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// Each suite: a module under bench/ and the function it exports.
const suites = [
  ['engine', 'engine.js', 'runEngineBench'],
  ['audit', 'audit.js', 'runAuditBench'],
  ['gateway', 'gateway.js', 'runGatewayBench'],
  ['console', 'console.js', 'runConsoleBench'],
  ['gate', 'gate.js', 'runGateBench'],
  ['scanner', 'scanner.js', 'runScannerBench'],
];

const rows = [];
for (const [name, file, fn] of suites) {
  if (only && !only.has(name)) continue;
  const path = new URL(`../dist/bench-build/bench/${file}`, import.meta.url);
  if (!existsSync(path)) {
    console.log(`(${name}: no benchmark module yet)`);
    continue;
  }
  const mod = await import(path.href);
  const started = Date.now();
  process.stdout.write(`running ${name} ...`);
  const got = await mod[fn]();
  console.log(` ${((Date.now() - started) / 1000).toFixed(1)}s`);
  rows.push(...got);
}

const width = Math.max(...rows.map((r) => r.name.length), 10);
console.log(`\n${'benchmark'.padEnd(width)}  ${'value'.padStart(14)}  unit`);
for (const r of rows) {
  const v = r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(2);
  console.log(`${r.name.padEnd(width)}  ${v.padStart(14)}  ${r.unit}${r.baseline ? `   (vs ${r.baseline})` : ''}`);
}
if (out) {
  writeFileSync(out, JSON.stringify(rows.map(({ name, unit, value }) => ({ name, unit, value })), null, 2));
  console.log(`\nwrote ${rows.length} rows to ${out}`);
}
