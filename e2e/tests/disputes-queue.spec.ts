import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { PERSONAS } from '../pages/personas';
import { saveScreenshot } from '../pages/screenshots';

// The demo opens disputes for Aurora and Borealis at the simulator (internal/app/seed_disputes.go), some
// under 24 h and some under 72 h from their deadline; their webhooks bring them into the queue.
test.describe.configure({ mode: 'serial' });

const support = PERSONAS['acquirer-support'];

/** Waits until the demo's disputes of both partners are in the "Expires soon" view (through the API). */
async function expiringDisputes(page: Page) {
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/disputes?view=expires_soon&limit=200');
        if (!res.ok()) return `queue answered ${res.status()}`;
        const names = new Set(((await res.json()) as { items: { partner_name: string }[] }).items.map((d) => d.partner_name));
        return names.has('Aurora Outfitters') && names.has('Borealis Bikes') ? 'both' : `partners so far: ${[...names].join(', ') || 'none'}`;
      },
      { timeout: 90_000, message: "the demo partners' disputes reached the queue" },
    )
    .toBe('both');
}

test('acquirer-support works the cross-partner queue: Expires soon, opens a dispute and takes it', async ({ page }) => {
  test.setTimeout(180_000);
  await new LoginPage(page).loginAs('acquirer-support', '/disputes');
  await expiringDisputes(page);
  await page.reload();

  const views = page.getByRole('tablist', { name: 'Dispute views' });
  await views.getByRole('tab', { name: /Expires soon/ }).click();
  await expect(page).toHaveURL(/[?&]view=expires_soon/);
  const table = page.getByRole('table', { name: 'Disputes' });
  const rows = table.locator('tbody tr[data-dispute]');
  await expect(rows.filter({ hasText: 'Aurora Outfitters' }).first()).toBeVisible();
  await expect(rows.filter({ hasText: 'Borealis Bikes' }).first()).toBeVisible();
  // Every row here is due within 72 h: red under 24 h, amber under 72 h, none later.
  const urgencies = await table.locator('[data-urgency]').evaluateAll((els) => els.map((e) => e.getAttribute('data-urgency')));
  expect(urgencies).toContain('day');
  expect(urgencies).toContain('soon');
  expect(urgencies).not.toContain('later');
  await saveScreenshot(page, 'disputes-queue.png', { fullPage: true });

  // The Borealis dispute under 24 h (high-risk purchase): open it and assign it to oneself.
  const row = rows.filter({ hasText: 'Borealis Bikes' }).filter({ has: page.locator('[data-urgency="day"]') }).first();
  const disputeId = (await row.getAttribute('data-dispute')) ?? '';
  await row.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('High-risk purchase');
  const summary = page.getByRole('region', { name: 'Summary' });
  await expect(summary.getByRole('link', { name: 'Borealis Bikes' })).toBeVisible();
  await expect(summary.locator('[data-urgency="day"]')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Timeline' })).toBeVisible();

  await page.getByRole('combobox', { name: 'Assignee' }).click();
  await page.getByRole('option', { name: support.name }).click();
  await expect(page.getByRole('combobox', { name: 'Assignee' })).toHaveValue(support.name);
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText(support.name);

  // Back in the queue, "Assigned to me" finds it.
  await page.getByRole('link', { name: '← Disputes' }).click();
  await page.getByRole('button', { name: 'Assigned to me' }).click();
  await expect(page).toHaveURL(/[?&]assignee=me/);
  await expect(page).toHaveURL(/[?&]view=expires_soon/);
  const mine = table.locator(`tbody tr[data-dispute="${disputeId}"]`);
  await expect(mine).toContainText('Borealis Bikes');
  await expect(mine).toContainText(support.name);
  // Only disputes assigned to Sam are listed.
  for (const text of await rows.allInnerTexts()) expect(text).toContain(support.name);
});

test("a dispute's page at phone width does not scroll sideways", async ({ page }) => {
  await new LoginPage(page).loginAs('acquirer-support', '/disputes?view=all');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('table', { name: 'Disputes' }).locator('tbody tr[data-dispute]').first().click();
  await expect(page.getByRole('region', { name: 'Transaction' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'page scrolls sideways').toBeLessThanOrEqual(390);
  await page.goto('/disputes');
  await expect(page.getByRole('table', { name: 'Disputes' })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'queue scrolls sideways').toBeLessThanOrEqual(390);
});
