import { expect, test } from '@playwright/test';

test('the built renderer loads in Chromium', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('http://127.0.0.1:4173/');
  await expect(page.getByRole('heading', { name: 'CapFence Console' })).toBeVisible();
  expect(errors).toEqual([]);
});
