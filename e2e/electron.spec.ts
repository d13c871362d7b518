import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { E2E_POLICY } from './support/real-console.js';
import { ROOT } from './support/processes.js';

/**
 * The Electron binary's path, found the way the `electron` package finds it but without requiring
 * the package: on a machine without the binary, `require('electron')` starts a network download
 * and then throws. Undefined when there is no binary.
 */
function electronBinary(): string | undefined {
  const pkg = join(ROOT, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const full = override ? join(override, name || 'electron') : name ? join(pkg, 'dist', name) : '';
  return full && existsSync(full) ? full : undefined;
}

const binary = electronBinary();
const desktopMain = join(ROOT, 'dist/node/main/electron/main.js');

test.describe('desktop shell', () => {
  test.skip(!binary, 'no Electron binary on this machine (node_modules/electron has no downloaded dist/): the desktop shell cannot start here');

  test('opens the console window connected over IPC', async () => {
    // The Electron-ABI sqlite binding is built once per CAPFENCE_HOME, so the home is kept between runs.
    test.setTimeout(300_000);
    expect(existsSync(desktopMain), 'run `npm run build` first').toBe(true);
    const home = join(tmpdir(), 'capfence-e2e-electron-home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const work = mkdtempSync(join(tmpdir(), 'capfence-e2e-electron-'));
    const policy = join(work, 'policy.yaml');
    writeFileSync(policy, E2E_POLICY);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    env['CAPFENCE_HOME'] = home;
    const app = await electron.launch({
      executablePath: binary as string,
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), desktopMain, '--policy', policy, '--db', join(work, 'capfence.db')],
      env,
      timeout: 240_000,
    });
    try {
      const window = await app.firstWindow({ timeout: 240_000 });
      await expect(window.getByRole('heading', { name: 'CapFence Console' })).toBeVisible();
      await expect(window.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
      await expect(window.getByText('No pending requests.')).toBeVisible();
      // The preload exposes the contract's functions; Node stays out of the page.
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (globalThis as { capfence?: unknown }).capfence)).toBe('object');
    } finally {
      await app.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
