import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { saveScreenshot } from '../pages/screenshots';

// Payments (issue 16): the demo's payments arrive as the simulator's payment.request webhooks once Partner Desk
// has subscribed (internal/app/seed_payments.go); every demo dispute belongs to a captured payment, whose sale
// reaches a payout when the traffic settles the partner's day.

interface Dispute {
  id: string;
  partner_name: string;
  payment_transaction_id: string;
}

interface Timeline {
  payment: { id: string; tenant_id: string; partner_name: string };
  entries: { kind: string; payment_reference: string; dispute_id: string }[];
}

/** A demo dispute whose payment's timeline already shows a settlement line in a payout, and that payment. */
async function disputeWithSettledPayment(page: Page): Promise<{ dispute: Dispute; payout: string; payment: string }> {
  let found: { dispute: Dispute; payout: string; payment: string } | undefined;
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/disputes?view=all&limit=200');
        if (!res.ok()) return `disputes answered ${res.status()}`;
        for (const d of ((await res.json()) as { items: Dispute[] }).items) {
          if (!d.payment_transaction_id) continue;
          const list = await page.request.get(`/api/v1/payments?q=${encodeURIComponent(d.payment_transaction_id)}`);
          const items = ((await list.json()) as { items: { id: string }[] }).items;
          if (items.length !== 1) continue;
          const tl = (await (await page.request.get(`/api/v1/payments/${encodeURIComponent(items[0]!.id)}`)).json()) as Timeline;
          const line = tl.entries.find((e) => e.kind === 'line' && e.payment_reference);
          if (line && tl.entries.some((e) => e.kind === 'dispute' && e.dispute_id === d.id)) {
            found = { dispute: d, payout: line.payment_reference, payment: items[0]!.id };
            return 'found';
          }
        }
        return 'no dispute with a settled payment yet';
      },
      { timeout: 150_000, intervals: [2_000], message: "a demo dispute's payment reached a payout" },
    )
    .toBe('found');
  return found!;
}

test('acquirer-support follows a dispute to its payment, reads the timeline and opens the payout it landed in', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await new LoginPage(page).loginAs('acquirer-support', '/payments');
  const { dispute, payout, payment } = await disputeWithSettledPayment(page);

  // The dispute's transaction id searches the payments for it.
  await page.goto(`/disputes/${encodeURIComponent(dispute.id)}`);
  await page.locator('[data-payment-link]').filter({ hasText: dispute.payment_transaction_id }).click();
  await expect(page).toHaveURL(/\/payments\?q=/);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue(dispute.payment_transaction_id);
  const rows = page.getByRole('table', { name: 'Payments' }).locator('tbody tr[data-payment]');
  await expect(rows).toHaveCount(1);
  await rows.first().click();

  // One timeline: the request's states, its lines in their payout, its dispute.
  await expect.poll(() => decodeURIComponent(new URL(page.url()).pathname)).toBe(`/payments/${payment}`);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.locator('[data-kind="state"]').first()).toBeVisible();
  await expect(timeline.locator('[data-kind="line"][data-state="SALE"]')).toHaveCount(1);
  await expect(timeline.locator('[data-kind="dispute"]').first()).toBeVisible();
  const money = page.getByRole('region', { name: 'Money' });
  await expect(money.locator('[data-money="captured"]')).not.toContainText(/^Captured\s*0/);
  await saveScreenshot(page, 'payment.png', { fullPage: true });

  await timeline.getByRole('link', { name: payout }).first().click();
  await expect.poll(() => decodeURIComponent(new URL(page.url()).pathname)).toBe(`/settlements/payouts/${payout}`);
  await expect(page.getByText(payout).first()).toBeVisible();
});

test('acquirer-admin reads the payments of every partner and their integration health', async ({ page }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await new LoginPage(page).loginAs('acquirer-admin', '/payments');
  const table = page.getByRole('table', { name: 'Payments' });
  await expect(async () => {
    await page.reload();
    await expect(table.locator('tbody tr[data-payment]').first()).toBeVisible({ timeout: 5_000 });
    await expect(table).toContainText('Aurora Outfitters', { timeout: 1_000 });
    await expect(table).toContainText('Borealis Bikes', { timeout: 1_000 });
  }).toPass({ timeout: 90_000 });
  await saveScreenshot(page, 'payments.png');

  await page.getByRole('link', { name: 'Integration health' }).click();
  await expect(page).toHaveURL(/\/payments\/health/);
  // Borealis often forgets the interoperability token, Aurora seldom: Borealis ranks further from Klarna's rules.
  const ranking = page.getByRole('table', { name: 'Partners by integration health' });
  const borealis = ranking.locator('tbody tr').filter({ hasText: 'Borealis Bikes' });
  await expect(borealis).toContainText(/interoperability token/i);
  const names = await ranking.locator('tbody tr').allInnerTexts();
  const at = (name: string) => names.findIndex((t) => t.includes(name));
  expect(at('Borealis Bikes')).toBeGreaterThanOrEqual(0);
  expect(at('Borealis Bikes')).toBeLessThan(at('Aurora Outfitters'));
  await saveScreenshot(page, 'payment-health.png', { fullPage: true });
});

test('a merchant sees only its own payments, and another partner’s payment is not found', async ({ page, browser }) => {
  test.setTimeout(150_000);
  await new LoginPage(page).loginAs('merchant-admin', '/payments');
  let own: { id: string; partner_name: string }[] = [];
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/payments?limit=200');
        own = ((await res.json()) as { items: { id: string; partner_name: string }[] }).items;
        return own.length > 0 ? 'arrived' : 'none yet';
      },
      { timeout: 90_000, message: "Aurora's payments arrived" },
    )
    .toBe('arrived');
  expect(new Set(own.map((p) => p.partner_name))).toEqual(new Set(['Aurora Outfitters']));
  await page.reload();
  await expect(page.getByRole('table', { name: 'Payments' }).locator('tbody tr[data-payment]').first()).toBeVisible();

  // Borealis' admin opens one of Aurora's payments by its address: not found, as an unknown one.
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await new LoginPage(other).loginAs('merchant-admin-b', '/payments');
  await other.goto(`/payments/${encodeURIComponent(own[0]!.id)}`);
  await expect(other.getByText('No such payment')).toBeVisible();
  const res = await other.request.get(`/api/v1/payments/${encodeURIComponent(own[0]!.id)}`);
  expect(res.status()).toBe(404);
  await ctx.close();
});

test('the payments pages fit a phone (390 px) with no sideways scroll', async ({ page }) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await new LoginPage(page).loginAs('merchant-admin', '/payments');
  const rows = page.getByRole('table', { name: 'Payments' }).locator('tbody tr[data-payment]');
  await expect(async () => {
    await page.reload();
    await expect(rows.first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  const fits = async (what: string) =>
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${what} scrolls sideways on a phone`).toBeLessThanOrEqual(390);
  await fits('the payments list');
  await saveScreenshot(page, 'payments-phone.png');
  await rows.first().click();
  await expect(page.getByRole('region', { name: 'Timeline' })).toBeVisible();
  await fits("a payment's page");
  await saveScreenshot(page, 'payment-phone.png', { fullPage: true });
  await page.goto('/payments/health');
  await expect(page.getByRole('region', { name: 'Headline figures' })).toBeVisible();
  await fits('the integration health');
  await saveScreenshot(page, 'payment-health-phone.png', { fullPage: true });
});
