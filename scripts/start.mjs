#!/usr/bin/env node
// `npm start`: the desktop console where an Electron runtime is installed; otherwise (say, on a
// machine where Electron's binary could not be downloaded) the same console in the browser.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

function electronBinary() {
  if (process.env.CAPFENCE_NO_ELECTRON) return undefined;
  try {
    // The `electron` package exports the binary's path, or throws when it was never downloaded.
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

if (!existsSync(`${root}dist/node/main/cli/main.js`)) {
  console.error('capfence is not built yet: run `npm install` (it builds) or `npm run build`.');
  process.exit(1);
}

const electron = electronBinary();
const desktopMain = `${root}dist/node/main/electron/main.js`;
let child;
if (electron && existsSync(desktopMain)) {
  console.log('Starting the CapFence desktop console…');
  child = spawn(electron, [desktopMain, ...args], { stdio: 'inherit' });
} else if (existsSync(`${root}dist/node/main/cli/commands/console.js`)) {
  console.log(
    electron
      ? 'The desktop shell is not built; starting the browser console instead.'
      : 'No Electron runtime is installed on this machine, so the desktop window cannot open.\nStarting the same console in your browser instead (`capfence console`).',
  );
  child = spawn(process.execPath, [`${root}bin/capfence.js`, 'console', ...args], { stdio: 'inherit' });
} else {
  console.log(`CapFence: deterministic, fail-closed enforcement for AI agent tool calls.

The console is not part of this build yet. Use the CLI:
  npx capfence check-policy policies/default.yaml
  npx capfence policy test <cases.yaml>
  npx capfence policy explain <policy.yaml> <event.json>
  npx capfence replay <trace.jsonl> --policy <policy.yaml>
  npx capfence --help`);
  process.exit(0);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
