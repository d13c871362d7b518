#!/usr/bin/env node
// After `npm run build`: the package resolves by its own name and the CLI binary runs, as a user
// who installed it would use them. Prints one line per check and exits non-zero on a failure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Never touch the user's real ~/.capfence from a test.
process.env.CAPFENCE_HOME = mkdtempSync(join(tmpdir(), 'capfence-smoke-'));

let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : e}`);
  }
}

await check("import { ActionRuntime } from 'capfence'", async () => {
  const { ActionRuntime, ActionEvent } = await import('capfence');
  const rt = ActionRuntime.fromPolicy('policies/default.yaml');
  const v = await rt.execute(ActionEvent.create({ actor: 'smoke', action: 'read', resource: 'files', environment: 'x' }));
  await rt.close();
  if (v.decision !== 'allow') throw new Error(`expected allow, got ${v.decision} (${v.reason})`);
});
await check('bin/capfence.js policy test policies/default.cases.yaml', () => {
  const out = execFileSync(process.execPath, ['bin/capfence.js', 'policy', 'test', 'policies/default.cases.yaml'], { encoding: 'utf8' });
  if (!/6\/6 passed/.test(out)) throw new Error(out);
});
await check('bin/capfence.js --version', () => {
  const out = execFileSync(process.execPath, ['bin/capfence.js', '--version'], { encoding: 'utf8' });
  if (!out.startsWith('capfence, version')) throw new Error(out);
});
process.exit(failed ? 1 : 0);
