#!/usr/bin/env node
// `npm start`: the desktop console where an Electron runtime is installed; otherwise (say, on a
// machine where Electron's binary could not be downloaded) the same console in the browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);

/**
 * The Electron binary, fetched on first start where the network allows (electron 42+ downloads
 * lazily). The download runs with its output captured, so an offline machine gets one plain
 * sentence instead of a stack trace, and `ELECTRON_SKIP_BINARY_DOWNLOAD` is respected.
 */
function electronBinary() {
  if (process.env.CAPFENCE_NO_ELECTRON) return undefined;
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  if (!existsSync(join(pkgDir, 'path.txt'))) {
    if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return undefined;
    console.log('Fetching the Electron runtime for the desktop window (first start only)…');
    const r = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0 || !existsSync(join(pkgDir, 'path.txt'))) {
      console.log('Could not download the Electron runtime (offline, or its host is unreachable).');
      return undefined;
    }
  }
  const bin = join(pkgDir, 'dist', readFileSync(join(pkgDir, 'path.txt'), 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
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
