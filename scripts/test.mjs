#!/usr/bin/env node
// `npm test`: what CI runs, in order: typecheck, build, unit tests, package smoke test, e2e. Every step runs even
// when an earlier one fails, so one run shows every problem; the exit code is non-zero if any failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { summarize } from './summarize-tests.mjs';

const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
rmSync('reports', { recursive: true, force: true });
mkdirSync('reports', { recursive: true });

const steps = [
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  // Built before the unit tests: multi-process tests spawn workers that run the built code.
  ['build', 'npm', ['run', '-s', 'build']],
  ['unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=reports/unit.json']],
  ['package', 'node', ['scripts/smoke-package.mjs']],
  ['e2e', 'npx', ['playwright', 'test']],
];

const results = [];
for (const [name, cmd, args] of steps) {
  const started = Date.now();
  console.log(`\n::: ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  const ok = r.status === 0;
  console.log(`::: ${name} ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  results.push({ name, ok });
}

const summaryOk = summarize(results);
process.exit(results.every((r) => r.ok) && summaryOk ? 0 : 1);
