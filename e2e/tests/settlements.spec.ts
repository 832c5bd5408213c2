import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { saveScreenshot } from '../pages/screenshots';

// The demo seeds six weeks of payouts for Aurora and Borealis at the simulator (internal/app/seed_settlements.go),
// one of Aurora's with a fee total its lines do not add up to; the sync reads them in.
interface Payout {
  payment_reference: string;
  partner_name: string;
  reconciled: boolean | null;
}

async function payouts(page: Page, query = ''): Promise<Payout[]> {
  let items: Payout[] = [];
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/payouts?limit=200${query}`);
        if (!res.ok()) return `payouts answered ${res.status()}`;
        items = ((await res.json()) as { items: Payout[] }).items;
        return items.length > 0 ? 'arrived' : 'none yet';
      },
      { timeout: 90_000, message: "the demo's payouts were read from Klarna" },
    )
    .toBe('arrived');
  return items;
}

test('acquirer-finance finds the payout that does not reconcile, sees where, and follows a line to its other payouts', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await new LoginPage(page).loginAs('acquirer-finance', '/settlements');
  const all = await payouts(page);
  const names = all.map((p) => p.partner_name);
  expect(names).toContain('Aurora Outfitters');
  expect(names).toContain('Borealis Bikes');
  const odd = await payouts(page, '&reconciled=false');
  expect(odd.map((p) => p.partner_name)).toContain('Aurora Outfitters');
  await page.reload();

  const table = page.getByRole('table', { name: 'Payouts' });
  await expect(table.locator('tbody tr[data-payout]').first()).toBeVisible();
  await expect(page.getByLabel(/^Totals in /).first()).toBeVisible();
  await expect(page.getByRole('region', { name: /Net payouts per week/ })).toBeVisible();
  // Last month's statement (of the first partner, Aurora) sets Klarna's own payout summary beside the payouts
  // read in: once the sync has read them all, it agrees.
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('region', { name: /^Statement in / }).first().locator('[data-klarna-summary="agrees"]')).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await saveScreenshot(page, 'settlements.png', { fullPage: true });

  // Only the ones that do not reconcile, through the filter in the address.
  await page.getByRole('form', { name: 'Payout filters' }).getByRole('combobox', { name: 'Reconciliation' }).click();
  await page.getByRole('option', { name: 'Does not reconcile' }).click();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]reconciled=false/);
  const row = table.locator(`tbody tr[data-payout="${odd[0]!.payment_reference}"]`);
  await expect(row).toBeVisible();
  await expect(table.locator('tbody tr[data-payout]')).toHaveCount(odd.length);
  await row.click();

  await expect(page).toHaveURL(new RegExp(`/settlements/payouts/${encodeURIComponent(odd[0]!.payment_reference)}$`));
  await expect(page.getByRole('alert')).toContainText('Does not reconcile');
  await expect(page.getByRole('alert')).toContainText(/Klarna reports .* the lines add up to/);
  const lines = page.getByRole('table', { name: 'Transaction lines' });
  await expect(lines.locator('tbody tr').first()).toBeVisible();
  await saveScreenshot(page, 'payout.png', { fullPage: true });

  // The Partner Desk CSV of the lines: the header and a row per line.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Partner Desk CSV' }).click()]);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString('utf8');
  expect(text.split('\n')[0]).toContain('payment_reference');
  expect(text.trim().split('\n').length).toBeGreaterThan(1);

  // A sale's order id finds its lines across payouts.
  const order = (await lines.locator('tbody tr').filter({ hasText: 'Sale' }).first().locator('td').nth(3).innerText()).trim();
  await page.goto(`/settlements/transactions`);
  await page.getByLabel('Order, capture or refund id, or reference').fill(order);
  await page.getByRole('form', { name: 'Transaction search' }).getByRole('button', { name: 'Search' }).click();
  const found = page.getByRole('table', { name: 'Matching lines' });
  await expect(found.getByRole('link', { name: odd[0]!.payment_reference }).first()).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/settlements/payouts/${encodeURIComponent(odd[0]!.payment_reference)}`);
  await expect(page.getByRole('alert')).toBeVisible();
  await saveScreenshot(page, 'phone-payout.png', { fullPage: true });
});

test("merchant-admin-b sees only Borealis' payouts, and an Aurora payout answers as an unknown one", async ({ browser }) => {
  const finance = await browser.newPage();
  await new LoginPage(finance).loginAs('acquirer-finance', '/settlements');
  const aurora = (await payouts(finance)).find((p) => p.partner_name === 'Aurora Outfitters');
  expect(aurora, 'an Aurora payout').toBeDefined();
  await finance.close();

  const page = await browser.newPage();
  await new LoginPage(page).loginAs('merchant-admin-b', '/settlements');
  const mine = await payouts(page);
  expect(new Set(mine.map((p) => p.partner_name))).toEqual(new Set(['Borealis Bikes']));
  for (const ref of [aurora!.payment_reference, 'no-such-payout']) {
    await page.goto(`/settlements/payouts/${encodeURIComponent(ref)}`);
    await expect(page.getByRole('heading', { name: 'No such payout' })).toBeVisible();
  }
  expect((await page.request.get(`/api/v1/payouts/${encodeURIComponent(aurora!.payment_reference)}/lines/export.csv`)).status()).toBe(404);
  await page.close();
});

test("merchant-finance opens a payout, keeps its fee lines, and downloads them and Klarna's PDF", async ({ page }) => {
  test.setTimeout(120_000);
  await new LoginPage(page).loginAs('merchant-finance', '/settlements');
  const mine = await payouts(page);
  expect(new Set(mine.map((p) => p.partner_name))).toEqual(new Set(['Aurora Outfitters']));
  await page.reload();
  await page.getByRole('table', { name: 'Payouts' }).locator('tbody tr[data-payout]').first().click();
  await expect(page).toHaveURL(/\/settlements\/payouts\/[^/]+$/);

  await page.getByRole('form', { name: 'Line filters' }).getByLabel('Types').fill('FEE');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]type=FEE/);
  const lines = page.getByRole('table', { name: 'Transaction lines' }).locator('tbody tr');
  await expect(lines.first()).toBeVisible();
  const types = await page.getByRole('table', { name: 'Transaction lines' }).locator('tbody tr td:first-child').allInnerTexts();
  expect(new Set(types)).toEqual(new Set(['Fee']));

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Partner Desk CSV' }).click()]);
  const rows = Buffer.concat(await (await csv.createReadStream()).toArray()).toString('utf8').trim().split('\n');
  expect(rows.length - 1, 'a CSV row per fee line shown').toBe(types.length);
  expect(rows.slice(1).every((r) => r.split(',')[2] === 'FEE')).toBe(true);

  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Klarna’s PDF' }).click()]);
  const head = Buffer.concat(await (await pdf.createReadStream()).toArray()).subarray(0, 5).toString('latin1');
  expect(head).toBe('%PDF-');
});
