import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHOTS } from './support/screenshots.js';

/*
 * The built renderer in Chromium, with a fake `window.capfence` preload bridge injected before any
 * page script runs: the real Electron-transport path (client, schema validation, bindings) is
 * exercised without Electron. The fake answers with contract-shaped data; the client parses it
 * with the contract's schemas, so a malformed fake would show up as errors on screen.
 */

mkdirSync(SHOTS, { recursive: true });

/** Runs in the page: builds the fake bridge. Self-contained (no imports, no closures over test code). */
function installFakeBridge() {
  const now = Date.now() / 1000;
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  const ok = (value: unknown) => Promise.resolve({ ok: true, value });
  const policyText = [
    '# Payments agent policy: reads are free, money moves need a person above 1000.',
    'version: 1',
    'policy_name: payments',
    'approval_timeout_seconds: 900',
    '',
    'deny:',
    '  - capability: shell.exec',
    '    match_keywords: ["rm -rf /", "mkfs"]',
    '  - capability: "*"',
    '    match_keywords: ["id_rsa", ".aws/credentials"]',
    '',
    'require_approval:',
    '  - capability: payment.transfer',
    '    amount_gt: 1000',
    '  - shell.*',
    '  - capability: files.write',
    '    environment: production',
    '',
    'allow:',
    '  - files.read',
    '  - capability: payment.transfer',
    '    amount_lte: 1000',
    '  - mcp.*.read_file',
    '',
    'risk_levels:',
    '  critical: {action: require_approval}',
    '',
  ].join('\n');
  const policyHash = 'sha256:9f2c41d07be5a3c6e1f0d2b8a4c7e9f1';
  const caps = [
    ['payment.transfer', 'stripe.create_transfer', { amount: 25000, currency: 'EUR', destination: 'acct_1NvQ2c', memo: 'Quarterly vendor settlement', api_key: 'sk_live_51H8x2KJd9fQ0aZpLm3Nq7RtUvWxYz' }],
    ['shell.exec', 'terminal.run', { command: 'kubectl rollout restart deployment/api -n prod', cwd: '/srv/deploy', env: { KUBECONFIG: '/home/ci/.kube/config', GITHUB_TOKEN: 'ghp_8fK2mQ9xL3vB7nR1tY6wZ0cD4eH5jP2sA9uV' } }],
    ['files.write', 'filesystem.write_file', { path: '/srv/app/config/production.yaml', content: 'replicas: 6\n'.repeat(40) }],
    ['mcp.github.create_pull_request', 'github.create_pull_request', { repo: 'acme/payments', title: 'Bump retry budget', base: 'main', head: 'agent/retry-budget' }],
    ['db.query.analytics', 'postgres.query', { sql: 'DELETE FROM sessions WHERE last_seen < now() - interval 90 days', database: 'analytics', password: 'hunter2' }],
  ] as const;
  const actors = ['billing-agent', 'deploy-bot', 'support-copilot', 'research-agent'];
  const approvals = Array.from({ length: (window as unknown as { __approvalCount?: number }).__approvalCount ?? 36 }, (_, i) => {
    const [capability, tool, args] = caps[i % caps.length]!;
    return {
      id: `apr_${(1000 + i).toString(36)}${i}`,
      actor: actors[i % actors.length]!,
      capability,
      tool,
      arguments: args,
      argumentsHash: `h${i}`,
      reason: i % 5 === 0 ? 'policy_require_approval' : i % 5 === 1 ? 'policy_require_approval' : 'risk_level:critical',
      rule: i % 5 === 2 ? null : i % 5 === 0 ? 'require_approval[0]' : 'require_approval[1]',
      policyHash,
      sessionId: i % 3 === 0 ? `sess-${4 + (i % 4)}a91` : null,
      risk: [0.95, 0.82, 0.6, 0.35, 0.75][i % 5]!,
      status: 'pending',
      createdAt: now - 20 - i * 37,
      expiresAt: now - 20 - i * 37 + 900,
      resolvedAt: null,
      resolvedBy: null,
      resolutionReason: null,
      editedArguments: null,
      grantId: null,
    };
  });
  const grants = [
    { id: 'gr_1', actor: 'billing-agent', capability: 'payment.transfer', environment: 'production', sessionId: null, usesLeft: 3, createdAt: now - 600, expiresAt: now + 2700, grantedBy: 'dana', reason: 'month-end close', revokedAt: null, revokedBy: null, tampered: false },
    { id: 'gr_2', actor: 'deploy-bot', capability: 'shell.exec.kubectl', environment: 'staging', sessionId: 'sess-7a91', usesLeft: null, createdAt: now - 120, expiresAt: now + 45, grantedBy: 'dana', reason: null, revokedAt: null, revokedBy: null, tampered: false },
    { id: 'gr_3', actor: 'research-agent', capability: 'files.read', environment: '*', sessionId: null, usesLeft: null, createdAt: now - 86400, expiresAt: null, grantedBy: 'sam', reason: 'read-only corpus access', revokedAt: null, revokedBy: null, tampered: false },
  ];
  const decisions = ['allow', 'allow', 'allow', 'deny', 'require_approval'];
  const audit = Array.from({ length: 600 }, (_, k) => {
    const seq = 600 - k;
    const [capability, tool] = caps[seq % caps.length]!;
    const decision = decisions[seq % decisions.length]!;
    return {
      seq,
      at: now - k * 53,
      kind: decision === 'require_approval' && seq % 2 === 0 ? 'approval' : 'decision',
      actor: actors[seq % actors.length]!,
      capability,
      tool,
      decision,
      authorized: decision === 'allow',
      reason: decision === 'allow' ? 'policy_allow' : decision === 'deny' ? 'policy_deny' : 'policy_require_approval',
      rule: decision === 'deny' ? 'deny[0]' : decision === 'allow' ? 'allow[1]' : 'require_approval[0]',
      policyHash,
      environment: 'production',
      sessionId: null,
      approvalId: null,
      approver: null,
      approverReason: null,
      payloadCommitment: `c${seq.toString(16).padStart(8, '0')}`,
      prevHash: `p${(seq - 1).toString(16).padStart(16, '0')}`,
      entryHash: `e${seq.toString(16).padStart(16, '0')}`,
    };
  });
  const matches = (e: (typeof audit)[number], q: Record<string, unknown>) =>
    (!q['actor'] || e.actor === q['actor']) && (!q['capability'] || e.capability.includes(String(q['capability']))) && (!q['decision'] || e.decision === q['decision']) &&
    (!q['text'] || JSON.stringify(e).toLowerCase().includes(String(q['text']).toLowerCase()));
  const bridge: Record<string, unknown> = {
    'session:info': () => ok({ version: '0.1.0', dbPath: '/home/dana/.capfence/capfence.db', policyPath: 'policies/payments.yaml', policyHash, transport: 'electron', gatewayUrl: 'http://127.0.0.1:7341/mcp', user: 'dana' }),
    'approvals:list': () => ok(approvals),
    'approvals:approve': (req: { ids: string[] }) => {
      const rows = req.ids.map((id) => ({ ...approvals.find((a) => a.id === id)!, status: 'approved', resolvedAt: Date.now() / 1000, resolvedBy: 'dana' }));
      for (const id of req.ids) approvals.splice(approvals.findIndex((a) => a.id === id), 1);
      setTimeout(() => emit('approvals:changed', { approvals: rows }), 10);
      return ok(rows.map((r) => ({ id: r.id, ok: true, approval: r })));
    },
    'approvals:deny': (req: { ids: string[]; reason?: string }) => {
      const rows = req.ids.map((id) => ({ ...approvals.find((a) => a.id === id)!, status: 'denied', resolvedAt: Date.now() / 1000, resolvedBy: 'dana', resolutionReason: req.reason ?? null }));
      for (const id of req.ids) approvals.splice(approvals.findIndex((a) => a.id === id), 1);
      return ok(rows.map((r) => ({ id: r.id, ok: true, approval: r })));
    },
    'grants:list': () => ok(grants),
    'grants:create': (req: Record<string, unknown>) => ok({ id: 'gr_new', actor: req['actor'], capability: req['capability'], environment: req['environment'] ?? '*', sessionId: null, usesLeft: req['uses'] ?? null, createdAt: Date.now() / 1000, expiresAt: null, grantedBy: 'dana', reason: null, revokedAt: null, revokedBy: null, tampered: false }),
    'grants:revoke': (req: { id: string }) => ok({ ...grants.find((g) => g.id === req.id)!, revokedAt: Date.now() / 1000, revokedBy: 'dana' }),
    'policy:get': () => ok({ path: 'policies/payments.yaml', text: policyText, hash: policyHash }),
    'policy:versions': () => ok([{ hash: policyHash, policyId: 'payments', sourcePath: 'policies/payments.yaml', createdAt: now - 7200 }]),
    'policy:version': () => ok({ hash: policyHash, policyId: 'payments', sourcePath: 'policies/payments.yaml', createdAt: now - 7200, text: policyText }),
    'policy:check': () => ok({ valid: true, diagnostics: [] }),
    'policy:save': () => ok({ hash: 'sha256:new', path: 'policies/payments.yaml' }),
    'policy:replay': () =>
      ok({
        total: 1000,
        before: { allow: 612, deny: 141, require_approval: 247 },
        after: { allow: 655, deny: 141, require_approval: 204 },
        changes: [
          { ref: 88, actor: 'billing-agent', capability: 'payment.transfer', before: 'require_approval', after: 'allow', afterReason: 'policy_allow', afterRule: 'allow[1]' },
          { ref: 131, actor: 'deploy-bot', capability: 'shell.exec', before: 'allow', after: 'require_approval', afterReason: 'policy_require_approval', afterRule: 'require_approval[1]' },
        ],
        warnings: [],
      }),
    'audit:query': (req: Record<string, unknown>) => {
      const before = typeof req['beforeSeq'] === 'number' ? req['beforeSeq'] : Infinity;
      const limit = typeof req['limit'] === 'number' ? req['limit'] : 200;
      return ok({ entries: audit.filter((e) => e.seq < before && matches(e, req)).slice(0, limit), head: 600 });
    },
    'audit:entry': (req: { seq: number }) => {
      const entry = audit.find((e) => e.seq === req.seq)!;
      return ok({ entry: { ...entry, payload: caps[req.seq % caps.length]![2] }, policy: { hash: policyHash, policyId: 'payments', sourcePath: 'policies/payments.yaml', createdAt: now - 7200, text: policyText } });
    },
    'audit:verify': async () => {
      for (let done = 0; done <= 600; done += 150) {
        emit('audit:verifyProgress', { done, total: 600 });
        await new Promise((r) => setTimeout(r, 30));
      }
      return { ok: true, value: { valid: false, format: 'capfence', entries: 600, checkpoints: 6, errors: [{ seq: 412, kind: 'modified', message: 'entry hash does not match its content' }], warnings: [] } };
    },
    'audit:export': () => ok({ filename: 'audit.jsonl', text: '{}\n', count: 1 }),
    on: (event: string, listener: (p: unknown) => void) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  for (const [k, v] of Object.entries(bridge)) if (k !== 'on' && typeof v === 'function') bridge[k] = (req: unknown) => Promise.resolve((v as (r: unknown) => unknown)(req ?? {}));
  (window as unknown as { capfence: unknown }).capfence = bridge;
  (window as unknown as { __emit: typeof emit }).__emit = emit;
}

async function open(page: Page, theme: 'light' | 'dark' = 'light', approvals?: number) {
  await page.emulateMedia({ colorScheme: theme });
  if (approvals !== undefined) await page.addInitScript((n) => ((window as unknown as { __approvalCount: number }).__approvalCount = n), approvals);
  await page.addInitScript(installFakeBridge);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('http://127.0.0.1:4173/');
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
}

async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)} ${n.failureSummary ?? ''}`).join(', ')})`)).toEqual([]);
}

test.describe('console with a fake preload bridge', () => {
  test('approvals: queue, keyboard, masking, approve', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await open(page);
    await expect(page.getByRole('heading', { name: 'CapFence Console' })).toBeVisible();
    const list = page.getByRole('listbox', { name: /Pending requests/ });
    await expect(list).toBeVisible();
    await expect(page.getByRole('button', { name: /Approvals/ })).toContainText('36');
    // Secrets in arguments are masked.
    await expect(page.getByLabel('Tool call arguments')).toContainText('(masked)');
    await expect(page.getByLabel('Tool call arguments')).not.toContainText('sk_live_');
    await list.focus();
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await expect(page.getByRole('form', { name: 'Batch actions' })).toContainText('1 selected');
    await page.keyboard.press('Escape');
    await page.keyboard.press('k');
    await page.screenshot({ path: join(SHOTS, 'approvals-light.png') });
    await expectAccessible(page);
    await page.keyboard.press('a');
    await expect(page.getByRole('button', { name: /Approvals/ })).toContainText('35');
    expect(errors).toEqual([]);
  });

  test('grants: countdowns and revoke confirmation', async ({ page }) => {
    await open(page);
    await page.getByRole('button', { name: /^Grants/ }).click();
    await expect(page.getByRole('heading', { name: 'Grants' })).toBeVisible();
    await expect(page.getByRole('table')).toContainText('payment.transfer');
    await page.getByRole('button', { name: 'Revoke grant of payment.transfer to billing-agent' }).click();
    await expect(page.getByRole('button', { name: 'Keep' })).toBeVisible();
    await page.getByRole('button', { name: 'New grant' }).click();
    await page.screenshot({ path: join(SHOTS, 'grants-light.png') });
    await expectAccessible(page);
  });

  test('policy: editor, diagnostics, rule table, try an event, replay', async ({ page }) => {
    await open(page);
    await page.getByRole('button', { name: /^Policy/ }).click();
    await expect(page.locator('.cm-editor')).toBeVisible();
    await expect(page.getByText('Valid policy')).toBeVisible();
    await expect(page.getByRole('tabpanel')).toContainText('payment.transfer');
    await page.screenshot({ path: join(SHOTS, 'policy-light.png') });
    await expectAccessible(page);
    // A typo in the text shows a located error.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\namout_gt: 5\n');
    await expect(page.locator('.diagnostics')).toContainText('error');
    await page.screenshot({ path: join(SHOTS, 'policy-diagnostics-light.png') });
    await page.getByRole('button', { name: 'Discard' }).click();
    await expect(page.getByText('Valid policy')).toBeVisible();
    await page.getByRole('tab', { name: 'Try an event' }).click();
    await expect(page.locator('.try-result')).toContainText(/require approval|deny|allow/);
    await page.screenshot({ path: join(SHOTS, 'policy-try-light.png') });
    await page.getByRole('tab', { name: 'Replay' }).click();
    await page.getByRole('button', { name: 'Run replay' }).click();
    await expect(page.locator('.replay-result')).toContainText('1 newly allowed');
    await page.screenshot({ path: join(SHOTS, 'policy-replay-light.png') });
    await expectAccessible(page);
  });

  test('audit: history, detail, verify verdict', async ({ page }) => {
    await open(page);
    await page.getByRole('button', { name: /^Audit/ }).click();
    await expect(page.getByRole('listbox', { name: /Audit entries/ })).toBeVisible();
    await page.getByRole('listbox', { name: /Audit entries/ }).getByRole('option').first().click();
    await expect(page.getByRole('heading', { name: 'Entry #600' })).toBeVisible();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(page.getByText('INVALID', { exact: false }).first()).toBeVisible();
    await expect(page.locator('.verify-details')).toContainText('entry #412');
    await page.getByRole('button', { name: 'Jump to entry #412' }).click();
    await expect(page.getByRole('heading', { name: 'Entry #412' })).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'audit-light.png') });
    await expectAccessible(page);
  });

  test('empty queue explains how to connect an agent', async ({ page }) => {
    await open(page, 'light', 0);
    await expect(page.getByText('No pending requests.')).toBeVisible();
    await expect(page.getByText(/capfence gateway/)).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'approvals-empty-light.png') });
    await expectAccessible(page);
  });

  test('10,000 pending requests stay smooth', async ({ page }) => {
    const started = Date.now();
    await open(page, 'light', 10_000);
    const list = page.getByRole('listbox', { name: 'Pending requests, 10000' });
    await expect(list).toBeVisible();
    const loadMs = Date.now() - started;
    expect(await page.getByRole('option').count()).toBeLessThan(60);
    await list.focus();
    const t0 = Date.now();
    for (let i = 0; i < 200; i++) await page.keyboard.press('j');
    await expect(list).toHaveAttribute('aria-activedescendant', /request-/);
    const id = await list.getAttribute('aria-activedescendant');
    await expect(page.locator(`#${id}`)).toBeInViewport();
    const keysMs = Date.now() - t0;
    // In-page cost of one cursor move (event, store update, React render), without Playwright's round trip.
    const perMoveMs = await page.evaluate(async () => {
      const t = performance.now();
      for (let i = 0; i < 100; i++) {
        document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }));
        await new Promise((r) => setTimeout(r, 0));
      }
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return (performance.now() - t) / 100;
    });
    // Generous bounds for a shared 2-core machine; typical figures are printed for the report.
    console.log(`10k queue: first render ${loadMs} ms, 200 cursor moves ${keysMs} ms through Playwright, ${perMoveMs.toFixed(1)} ms per move in the page`);
    expect(perMoveMs).toBeLessThan(50);
    expect(loadMs).toBeLessThan(8000);
    expect(keysMs).toBeLessThan(8000);
  });

  test('dark theme', async ({ page }) => {
    await open(page, 'dark');
    await expect(page.getByRole('listbox', { name: /Pending requests/ })).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'approvals-dark.png') });
    await expectAccessible(page);
    await page.getByRole('button', { name: /^Policy/ }).click();
    await expect(page.locator('.cm-editor')).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'policy-dark.png') });
    await expectAccessible(page);
  });
});
