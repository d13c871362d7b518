import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { cli, connectGateway, makeHome, startConsole, type CapfenceHome, type ConsoleProcess, type GatewayClient } from './processes.js';

/** The console's four screens, as the side navigation names them. */
export type ScreenName = 'Approvals' | 'Grants' | 'Policy' | 'Audit';

/** One test's real CapFence: a temp home, a running `capfence console`, and gateways started on demand. */
export interface RealCapfence {
  home: CapfenceHome;
  console: ConsoleProcess;
  /** A stdio gateway in front of server-everything with a connected MCP client; closed after the test. */
  gateway(opts?: { agentId?: string; flags?: readonly string[] }): Promise<GatewayClient>;
  /** The CLI against this test's store. */
  cli(args: readonly string[]): ReturnType<typeof cli>;
  /** Opens the console's URL (with its token) and waits until the WebSocket is connected. */
  open(page: Page): Promise<void>;
}

/**
 * The policy the tests run under: `echo` on server-everything needs a person, the tools the
 * tests call otherwise are allowed, and `get-env` falls to the default deny.
 */
export const E2E_POLICY = `version: 1
policy_name: e2e
approval_timeout_seconds: 600
require_approval:
  - mcp.everything.echo
allow:
  - mcp.everything.get-sum
  - mcp.everything.get-tiny-image
`;

/** `test` with a `capfence` fixture; `policy` can be overridden per file or describe block with `test.use`. */
export const test = base.extend<{ policy: string; capfence: RealCapfence }>({
  policy: [E2E_POLICY, { option: true }],
  capfence: async ({ policy }, use) => {
    const home = makeHome(policy);
    const gateways: GatewayClient[] = [];
    let running: ConsoleProcess | undefined;
    try {
      running = await startConsole(home);
      const consoleProcess = running;
      await use({
        home,
        console: consoleProcess,
        async gateway(opts = {}) {
          const gw = await connectGateway(home, opts);
          gateways.push(gw);
          return gw;
        },
        cli: (args) => cli(home, args),
        async open(page) {
          await page.setViewportSize({ width: 1440, height: 900 });
          await page.goto(consoleProcess.url);
          await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
        },
      });
    } finally {
      // Gateways first: each one's upstream server-everything goes with it.
      await Promise.all(gateways.map((g) => g.close().catch(() => undefined)));
      await running?.stop();
      home.remove();
    }
  },
});

export { expect };

/** Clicks a screen in the side navigation and waits for its heading. */
export async function goToScreen(page: Page, screen: ScreenName): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('button', { name: new RegExp(`^${screen}`) }).click();
  await expect(page.getByRole('heading', { name: screen, exact: true, level: 2 })).toBeVisible();
}

/** Axe's serious and critical violations on the page as it is now, one readable line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)} ${n.failureSummary ?? ''}`).join(', ')})`);
}
