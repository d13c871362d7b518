// Reads the JSON reports of vitest and Playwright and prints one `N passed, N failed` line each,
// then a closing total line that CI reads. Zero tests run counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

function readJson(path) {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Prints per-suite and total counts; returns false when anything failed or nothing ran. */
export function summarize(steps = []) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const unit = readJson('reports/unit.json');
  if (unit) {
    const f = unit.numFailedTests + (unit.numRuntimeErrorTestSuites ?? 0);
    console.log(`unit: ${unit.numPassedTests} passed, ${f} failed, ${unit.numPendingTests + unit.numTodoTests} skipped`);
    passed += unit.numPassedTests;
    failed += f;
    skipped += unit.numPendingTests + unit.numTodoTests;
  } else {
    console.log('unit: no report (vitest did not finish)');
    failed += 1;
  }
  const e2e = readJson('reports/e2e.json');
  if (e2e?.stats) {
    const s = e2e.stats;
    const f = s.unexpected + s.flaky;
    console.log(`e2e: ${s.expected} passed, ${f} failed, ${s.skipped} skipped`);
    passed += s.expected;
    failed += f;
    skipped += s.skipped;
  } else {
    console.log('e2e: no report (playwright did not finish)');
    failed += 1;
  }
  for (const step of steps) {
    if (step.name === 'unit' || step.name === 'e2e') continue;
    if (step.ok) passed += 1;
    else failed += 1;
    console.log(`${step.name}: ${step.ok ? '1 passed, 0 failed' : '0 passed, 1 failed'}`);
  }
  console.log(`total: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed === 0 && passed > 0;
}
