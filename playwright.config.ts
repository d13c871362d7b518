import { defineConfig } from '@playwright/test';

/*
 * Two kinds of spec share this config. The fake-API specs (console-fake, shell) load the built
 * renderer from `vite preview` on port 4173, started below. The real-service specs
 * (console-real, electron) start their own `capfence console` / Electron processes per test on
 * free ports, so a run of only those does not start the preview server (nor fight over its port
 * with another run).
 */
const OWN_SERVERS = /(^|[/\\])(console-real|electron)(\.spec(\.ts)?)?$/;
const fileFilters = process.argv.slice(2).filter((a) => !a.startsWith('-') && /spec|e2e|\.ts$/.test(a));
const needsPreview = fileFilters.length === 0 || fileFilters.some((f) => !OWN_SERVERS.test(f.replace(/:\d+$/, '')));

// Debian's Chromium: Playwright's own browser download cannot work on these machines.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'reports/e2e-artifacts',
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  workers: 1,
  timeout: 60_000,
  use: {
    headless: !process.env['HEADED'],
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  ...(needsPreview
    ? {
        webServer: {
          command: 'npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
          url: 'http://127.0.0.1:4173',
          reuseExistingServer: false,
          timeout: 60_000,
        },
      }
    : {}),
});
