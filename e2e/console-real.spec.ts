import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { settle } from './support/processes.js';
import { E2E_POLICY, expect, goToScreen, seriousViolations, test, type RealCapfence, type ScreenName } from './support/real-console.js';
import { SHOTS } from './support/screenshots.js';

/*
 * `capfence console` with real services, in Debian Chromium: every test starts the built CLI's
 * console on a fresh temp CAPFENCE_HOME, agents are real MCP clients talking to real
 * `capfence gateway` processes in front of server-everything, and the CLI and the test itself
 * reach the same SQLite store from other processes.
 */

mkdirSync(SHOTS, { recursive: true });

const AGENT = 'e2e-agent';

const pendingList = (page: Page) => page.getByRole('listbox', { name: /Pending requests/ });
const pendingRow = (page: Page, text: string) => pendingList(page).getByRole('option').filter({ hasText: text });

/** What `watchForRow` uses of the page's DOM (this project's Node typecheck has no DOM library). */
interface PageDom {
  document: { body: unknown; querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: Record<string, boolean>): void; disconnect(): void };
  __rowSeenAt?: Promise<number>;
}

/**
 * Starts watching the page for a queue row containing `text`; the returned function resolves with
 * the wall-clock time (ms) at which the row first existed. The observer is in place when this resolves.
 */
async function watchForRow(page: Page, text: string): Promise<() => Promise<number>> {
  await page.evaluate((needle) => {
    const g = globalThis as unknown as PageDom;
    const { document, MutationObserver } = g;
    g.__rowSeenAt = new Promise<number>((resolve) => {
      const found = () => [...document.querySelectorAll('[role="listbox"] [role="option"]')].some((el) => el.textContent?.includes(needle));
      if (found()) return resolve(Date.now());
      const observer = new MutationObserver(() => {
        if (!found()) return;
        observer.disconnect();
        resolve(Date.now());
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  }, text);
  return () => page.evaluate(() => (globalThis as unknown as PageDom).__rowSeenAt as Promise<number>);
}

/** Approves or denies the request whose row contains `text`, with the buttons a reviewer uses. */
async function decide(page: Page, text: string, how: { approve: true } | { deny: string }) {
  // Rows show who and what; the arguments are in the detail pane of the row under the cursor.
  const detail = page.locator('section.detail');
  const args = detail.getByLabel('Tool call arguments');
  const rows = pendingList(page).getByRole('option');
  const n = await rows.count();
  for (let i = 0; i < n; i++) {
    await rows.nth(i).click();
    await expect(detail.locator('.facts')).toBeVisible();
    if (((await args.textContent()) ?? '').includes(text)) break;
  }
  await expect(args).toContainText(text);
  if ('approve' in how) {
    await detail.getByRole('button', { name: 'Approve a', exact: true }).click();
  } else {
    await detail.getByRole('textbox', { name: 'Reason the agent will see' }).fill(how.deny);
    await detail.getByRole('button', { name: 'Deny d', exact: true }).click();
  }
}

/** Replaces the policy editor's text as a paste would (no auto-indent or bracket closing). */
async function replaceDraft(page: Page, text: string) {
  const content = page.locator('.cm-content');
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  await expect.poll(async () => content.evaluate((el) => [...el.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n'))).toBe(text);
}

/** Replaces the draft, waits for the checks to pass, saves it and waits until it is the active version. */
async function saveVersion(page: Page, text: string) {
  await replaceDraft(page, text);
  await expect(page.getByText('Valid policy')).toBeVisible();
  await page.getByRole('button', { name: 'Save new version' }).click();
  await expect(page.locator('.screen-head .chip').filter({ hasText: `active ${sha256(text).slice(0, 10)}` })).toBeVisible();
  await expect(page.getByText('unsaved draft')).toHaveCount(0);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The statuses of approvals by the text in their arguments, read straight from the store file. */
function approvalStatuses(dbPath: string): Record<string, string> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT arguments, status FROM approvals').all() as { arguments: string; status: string }[];
    return Object.fromEntries(rows.map((r) => [(JSON.parse(r.arguments) as { message: string }).message, r.status]));
  } finally {
    db.close();
  }
}

/** The audit sequence numbers of decisions on `capability`, read straight from the store file. */
function decisionSeqs(dbPath: string, capability: string): number[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT seq FROM audit_entries WHERE kind = 'decision' AND capability = ? ORDER BY seq").all(capability) as { seq: number }[]).map((r) => r.seq);
  } finally {
    db.close();
  }
}

/** An allowed, a denied and another allowed decision, made by a real agent through the gateway. */
async function makeDecisions(capfence: RealCapfence) {
  const gw = await capfence.gateway({ agentId: AGENT });
  const sum = await gw.client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
  expect(JSON.stringify(sum.content)).toContain('5');
  const denied = await gw.client.callTool({ name: 'get-env', arguments: {} }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(denied).toBeInstanceOf(McpError);
  expect((denied as McpError).data).toMatchObject({ decision: 'deny', capability: 'mcp.everything.get-env' });
  await gw.client.callTool({ name: 'get-tiny-image', arguments: {} });
  return gw;
}

test.describe('capfence console with real services', () => {
  test('approving in the queue releases a real MCP call held by the gateway', async ({ page, capfence }) => {
    await capfence.open(page);
    await expect(page.getByText('No pending requests.')).toBeVisible();
    const gw = await capfence.gateway({ agentId: AGENT });

    const seenAt = await watchForRow(page, 'mcp.everything.echo');
    const calledAt = Date.now();
    const call = settle(gw.client.callTool({ name: 'echo', arguments: { message: 'hello from e2e' } }));
    const visibleMs = (await seenAt()) - calledAt;
    console.log(`request → row visible in the queue: ${visibleMs} ms`);
    test.info().annotations.push({ type: 'request-to-visible-ms', description: String(visibleMs) });
    expect(visibleMs).toBeLessThan(2000);

    const row = pendingRow(page, 'mcp.everything.echo');
    await expect(row).toBeVisible();
    await expect(row).toContainText(AGENT);
    await expect(row).toContainText('echo');
    await expect(page.getByRole('button', { name: /^Approvals/ })).toContainText('1');
    const detail = page.locator('section.detail');
    await expect(detail.getByRole('heading', { name: 'mcp.everything.echo' })).toBeVisible();
    await expect(detail).toContainText(AGENT);
    await expect(detail.getByLabel('Tool call arguments')).toContainText('"message": "hello from e2e"');

    await decide(page, 'hello from e2e', { approve: true });
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: hello from e2e' }]);
    await expect(page.getByText('No pending requests.')).toBeVisible();
  });

  test("denying with a reason gives the agent the reviewer's reason", async ({ page, capfence }) => {
    await capfence.open(page);
    // The default gateway answers with a JSON-RPC error; `--deny-as-result` with a tool result the model reads.
    const [asError, asResult] = await Promise.all([capfence.gateway({ agentId: AGENT }), capfence.gateway({ agentId: AGENT, flags: ['--deny-as-result'] })]);
    const errorCall = settle(asError.client.callTool({ name: 'echo', arguments: { message: 'deny me as an error' } }));
    const resultCall = settle(asResult.client.callTool({ name: 'echo', arguments: { message: 'deny me as a result' } }));
    await expect(pendingList(page).getByRole('option')).toHaveCount(2);

    await decide(page, 'deny me as an error', { deny: 'not today' });
    const e = await errorCall.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(McpError);
    const err = e as McpError;
    expect(err.code).toBe(-32000);
    expect(err.data).toMatchObject({ decision: 'deny', capability: 'mcp.everything.echo', approver_reason: 'not today' });
    expect((err.data as { reason: string }).reason).toMatch(/^approval_denied:[0-9a-f-]{36}: not today$/);
    expect(err.message).toContain('not today');

    await decide(page, 'deny me as a result', { deny: 'not today' });
    const r = await resultCall;
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toContain('not today');
    await expect(page.getByText('No pending requests.')).toBeVisible();
  });

  test('a short grant counts down on the Grants screen and goes when it expires', async ({ page, capfence }) => {
    await capfence.open(page);
    await goToScreen(page, 'Grants');
    await expect(page.getByText('No active grants.')).toBeVisible();
    const made = await capfence.cli(['grant', '--actor', AGENT, '--capability', 'mcp.everything.echo', '--duration', '4', '--by', 'e2e-reviewer']);
    expect(made.code, made.stderr).toBe(0);

    const row = page.getByRole('row').filter({ hasText: 'mcp.everything.echo' });
    await expect(row).toBeVisible();
    await expect(row).toContainText(AGENT);
    await expect(row).toContainText('e2e-reviewer');
    const countdown = row.locator('.countdown');
    const seconds = async () => Number(/^(\d+)s$/.exec((await countdown.textContent()) ?? '')?.[1] ?? NaN);
    const first = await seconds();
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(4);
    await expect.poll(seconds, { timeout: 3000 }).toBeLessThan(first);
    await expect(row).toHaveCount(0, { timeout: 6000 });
    await expect(page.getByText('No active grants.')).toBeVisible();
    await expect(page.getByText('0 active')).toBeVisible();
  });

  test('an unknown condition key is reported on its line in the policy editor', async ({ page, capfence }) => {
    await capfence.open(page);
    await goToScreen(page, 'Policy');
    await expect(page.getByText('Valid policy')).toBeVisible();
    const broken = ['version: 1', 'policy_name: typo', 'deny:', '  - capability: payment.transfer', '    amout_gt: 1000', 'allow:', '  - mcp.everything.get-sum', ''].join('\n');
    await replaceDraft(page, broken);

    const diagnostic = page.locator('.diagnostic-list .diagnostic-error');
    await expect(diagnostic).toHaveCount(1);
    await expect(diagnostic.locator('.diag-where')).toHaveText('5:5');
    await expect(diagnostic).toContainText('unknown condition amout_gt');
    await expect(diagnostic).toContainText('did you mean amount_gt');
    // The editor underlines the key on line 5 and marks that line in the lint gutter.
    const line5 = page.locator('.cm-content .cm-line').nth(4);
    await expect(line5.locator('.cm-lintRange-error')).toHaveText(/amout_gt/);
    const marker = page.locator('.cm-gutter-lint .cm-lint-marker-error');
    await expect(marker).toHaveCount(1);
    const [markerBox, lineBox] = await Promise.all([marker.boundingBox(), line5.boundingBox()]);
    expect(markerBox && lineBox && Math.abs(markerBox.y + markerBox.height / 2 - (lineBox.y + lineBox.height / 2))).toBeLessThan(lineBox?.height ?? 0);
    await expect(page.getByRole('button', { name: 'Save new version' })).toBeDisabled();
  });

  test('replaying a draft against the audit history lists exactly the newly allowed event', async ({ page, capfence }) => {
    await makeDecisions(capfence);
    const envSeqs = decisionSeqs(capfence.home.dbPath, 'mcp.everything.get-env');
    expect(envSeqs).toHaveLength(1);
    const envSeq = envSeqs[0];

    await capfence.open(page);
    await goToScreen(page, 'Policy');
    await replaceDraft(page, `${E2E_POLICY}  - mcp.everything.get-env\n`);
    await expect(page.getByText('Valid policy')).toBeVisible();
    await page.getByRole('tab', { name: 'Replay' }).click();
    await expect(page.getByRole('radio', { name: 'Recent audit history' })).toBeChecked();
    await page.getByRole('button', { name: 'Run replay' }).click();

    const result = page.locator('.replay-result');
    await expect(result).toContainText('3 events from the last 1,000 audited decisions');
    await expect(result).toContainText('1 change, 1 newly allowed');
    const rows = result.locator('table.replay-changes tbody tr');
    await expect(rows).toHaveCount(1);
    const cells = rows.first().locator('td');
    await expect(cells.nth(0)).toHaveText(String(envSeq));
    await expect(cells.nth(1)).toContainText('mcp.everything.get-env');
    await expect(cells.nth(1)).toContainText(AGENT);
    await expect(cells.nth(2)).toHaveText('deny → allow');
    await expect(cells.nth(3)).toHaveText('allow[2]');
  });

  test('two saved versions are compared in the policy history, which shows the changed rule', async ({ page, capfence }) => {
    await capfence.open(page);
    await goToScreen(page, 'Policy');
    // v2 allows get-env; v3 moves it under require_approval.
    const v2 = `${E2E_POLICY}  - mcp.everything.get-env\n`;
    const v3 = v2.replace('  - mcp.everything.get-env\n', '').replace('require_approval:\n', 'require_approval:\n  - mcp.everything.get-env\n');
    await saveVersion(page, v2);
    await saveVersion(page, v3);
    const [h2, h3] = [sha256(v2).slice(0, 10), sha256(v3).slice(0, 10)];

    await page.getByRole('tab', { name: 'History' }).click();
    const table = page.getByRole('table', { name: /Recorded policy versions/ });
    const rows = table.locator('tbody tr');
    await expect(rows.nth(0).getByRole('button', { name: `View version ${h3}` })).toBeVisible();
    await expect(rows.nth(0)).toContainText('active');
    await expect(rows.nth(0)).toContainText(capfence.home.policyPath);
    await expect(rows.nth(1).getByRole('button', { name: `View version ${h2}` })).toBeVisible();
    await expect(rows.nth(1)).not.toContainText('active');

    await page.getByRole('radio', { name: `Compare from ${h2}` }).check();
    await page.getByRole('radio', { name: `Compare to ${h3}` }).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    const diff = page.getByRole('table', { name: `Changes from version ${h2} to ${h3}` });
    await expect(diff.locator('.diff-add .diff-text')).toHaveText(['  - mcp.everything.get-env']);
    await expect(diff.locator('.diff-del .diff-text')).toHaveText(['  - mcp.everything.get-env']);
    // The rule moved from the end of allow (old line 9) to the top of require_approval (new line 5).
    await expect(diff.locator('.diff-add .diff-no').nth(1)).toHaveText('5');
    await expect(diff.locator('.diff-del .diff-no').nth(0)).toHaveText('9');
    await page.screenshot({ path: join(SHOTS, 'policy-history-light.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'policy-history-dark.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // An old version opens read-only and loads as a draft; nothing is saved until the user saves.
    await page.getByRole('button', { name: `View version ${h2}` }).click();
    const text = page.getByRole('textbox', { name: `Policy version ${h2} (read-only)` });
    await expect(text).toHaveAttribute('contenteditable', 'false');
    await expect(text).toContainText('mcp.everything.get-env');
    await page.screenshot({ path: join(SHOTS, 'policy-version-light.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Load as draft' }).click();
    await expect(page.getByText('unsaved draft')).toBeVisible();
    await expect(page.getByText(`from ${h2}`)).toBeVisible();
    expect(readFileSync(capfence.home.policyPath, 'utf8')).toBe(v3);
    await page.getByRole('button', { name: 'Save new version' }).click();
    await expect(page.getByText('unsaved draft')).toHaveCount(0);
    await expect.poll(() => readFileSync(capfence.home.policyPath, 'utf8')).toBe(v2);
    await page.getByRole('tab', { name: 'History' }).click();
    await expect(page.locator('tr', { has: page.getByRole('button', { name: `View version ${h2}` }) })).toContainText('active');
  });

  test('shift+click selects a range of three pending requests and one Approve resolves all three', async ({ page, capfence }) => {
    // With no hold the gateway answers "pending" at once; the requests stay in the queue.
    const agent = await capfence.gateway({ agentId: AGENT, flags: ['--hold-seconds', '0'] });
    const messages = ['range one', 'range two', 'range three', 'range four'];
    for (const message of messages) await agent.client.callTool({ name: 'echo', arguments: { message } }).catch(() => undefined);
    await capfence.open(page);
    const rows = pendingList(page).getByRole('option');
    await expect(rows).toHaveCount(4);
    // The row left out of the range: its request must be the only one still pending afterwards.
    const detail = page.locator('section.detail');
    const args = detail.getByLabel('Tool call arguments');
    await rows.nth(3).click();
    const lastArgs = (await args.textContent()) ?? '';
    const last = messages.find((m) => lastArgs.includes(`"${m}"`));
    expect(last).toBeDefined();

    await rows.nth(0).click();
    await rows.nth(2).click({ modifiers: ['Shift'] });
    await expect(pendingList(page).locator('[role="option"][aria-selected="true"]')).toHaveCount(3);
    await expect(page.getByRole('form', { name: 'Batch actions' })).toContainText('3 selected');
    await page.getByRole('button', { name: /Approve all/ }).click();
    await expect(rows).toHaveCount(1);
    await expect(args).toContainText(`"${last}"`);
    expect(approvalStatuses(capfence.home.dbPath)).toEqual(Object.fromEntries(messages.map((m) => [m, m === last ? 'pending' : 'approved'])));
  });

  test('verifying a tampered log names the modified entry', async ({ page, capfence }) => {
    await makeDecisions(capfence);
    await capfence.open(page);
    await goToScreen(page, 'Audit');
    const verdict = page.locator('.verify .verdict-big');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(verdict).toContainText('VALID');
    await expect(verdict).not.toContainText('INVALID');

    const db = new Database(capfence.home.dbPath, { fileMustExist: true });
    try {
      expect(db.prepare("UPDATE audit_chain SET canonical = json_set(canonical, '$.reason', 'x') WHERE seq = 2").run().changes).toBe(1);
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(verdict).toContainText('INVALID');
    await expect(page.locator('.verify-details')).toContainText(/First problem: entry #2 — modified\./);
    await page.getByRole('button', { name: 'Jump to entry #2' }).click();
    await expect(page.getByRole('heading', { name: 'Entry #2' })).toBeVisible();
  });

  test.describe('with every screen showing real data', () => {
    /** Two requests left pending, an hour's grant, audited decisions, and a policy draft with an error. */
    async function seed(page: Page, capfence: RealCapfence) {
      await makeDecisions(capfence);
      // With no hold the gateway answers "pending" at once; the requests stay in the queue.
      const agent = await capfence.gateway({ agentId: 'billing-agent', flags: ['--hold-seconds', '0'] });
      for (const message of ['refund order 4471 to the original card', 'email the weekly report to finance@example.com']) {
        await agent.client.callTool({ name: 'echo', arguments: { message } }).catch(() => undefined);
      }
      const made = await capfence.cli(['grant', '--actor', AGENT, '--capability', 'mcp.everything.echo', '--duration', '3600', '--uses', '5', '--reason', 'pairing session with the on-call engineer']);
      expect(made.code, made.stderr).toBe(0);
      await capfence.open(page);
      await expect(pendingList(page).getByRole('option')).toHaveCount(2);
    }

    async function showScreen(page: Page, screen: ScreenName) {
      await goToScreen(page, screen);
      if (screen === 'Approvals') await expect(pendingList(page).getByRole('option')).toHaveCount(2);
      if (screen === 'Grants') await expect(page.getByRole('row').filter({ hasText: 'mcp.everything.echo' })).toBeVisible();
      if (screen === 'Policy') {
        if (!(await page.locator('.diagnostic-error').count())) {
          await replaceDraft(page, E2E_POLICY.replace('allow:\n', 'allow:\n  - capability: mcp.everything.get-sum\n    amout_gt: 10\n'));
        }
        await expect(page.locator('.diagnostic-list .diagnostic-error')).toHaveCount(1);
      }
      if (screen === 'Audit') {
        const denied = page.getByRole('listbox', { name: /Audit entries/ }).getByRole('option').filter({ hasText: 'mcp.everything.get-env' });
        await denied.click();
        await expect(page.getByRole('heading', { name: /^Entry #\d+/ })).toBeVisible();
      }
    }

    test('no serious or critical accessibility violations on any screen', async ({ page, capfence }) => {
      await seed(page, capfence);
      const found: Record<string, string[]> = {};
      for (const screen of ['Approvals', 'Grants', 'Policy', 'Audit'] as const) {
        await showScreen(page, screen);
        found[screen] = await seriousViolations(page);
      }
      expect(found).toEqual({ Approvals: [], Grants: [], Policy: [], Audit: [] });
    });

    test('screenshots of every screen', async ({ page, capfence }) => {
      await seed(page, capfence);
      for (const screen of ['Approvals', 'Grants', 'Policy', 'Audit'] as const) {
        await showScreen(page, screen);
        await page.screenshot({ path: join(SHOTS, `real-${screen.toLowerCase()}.png`) });
      }
    });
  });
});
