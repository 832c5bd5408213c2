import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { PartnersPage } from '../pages/PartnersPage';
import { saveScreenshot } from '../pages/screenshots';

// The demo seeds Aurora and Borealis (and, once webhooks flow, the directory partners in every
// onboarding state) through the Klarna simulator; the directory reads their accounts from it.
test.describe.configure({ mode: 'serial' });

interface Detail {
  summary: { tenant_id: string; name: string; klarna_account_id: string };
  payment_product?: { payment_accounts: { id: string; reference: string }[] } | null;
  brands: { store_groups: { stores: { id: string; url: string; reference: string }[] }[] }[];
}

/** The partner found by name through the API, once the directory has read its tree from Klarna. */
async function partnerByName(page: Page, name: string): Promise<Detail> {
  let detail: Detail | undefined;
  await expect
    .poll(
      async () => {
        const list = await page.request.get(`/api/v1/partners?q=${encodeURIComponent(name)}`);
        if (!list.ok()) return `directory answered ${list.status()}`;
        const item = ((await list.json()) as { items: { tenant_id: string; name: string }[] }).items.find((p) => p.name === name);
        if (!item) return `${name} not listed yet`;
        const res = await page.request.get(`/api/v1/tenants/${item.tenant_id}/partner`);
        detail = (await res.json()) as Detail;
        const stores = detail.brands.flatMap((b) => b.store_groups.flatMap((g) => g.stores));
        return detail.payment_product?.payment_accounts.length && stores.length ? 'read' : 'tree not read from Klarna yet';
      },
      { timeout: 60_000, message: `${name}'s account read from the simulator` },
    )
    .toBe('read');
  return detail!;
}

let borealisId = '';

test('acquirer-admin finds a partner by a Klarna id and opens its tree', async ({ page }) => {
  // The first read of the demo accounts from the simulator may still be under way.
  test.setTimeout(120_000);
  await new LoginPage(page).loginAs('acquirer-admin', '/partners');
  const partners = new PartnersPage(page);
  const aurora = await partnerByName(page, 'Aurora Outfitters');
  borealisId = (await partnerByName(page, 'Borealis Bikes')).summary.tenant_id;
  await expect(partners.row('aurora')).toBeVisible();
  await expect(partners.row('borealis')).toBeVisible();
  await saveScreenshot(page, 'partners.png', { fullPage: true });

  // A payment account's Klarna id finds its partner, and only it.
  const paymentAccount = aurora.payment_product!.payment_accounts[0]!;
  await partners.search(paymentAccount.id);
  await expect(partners.rows()).toHaveCount(1);
  await expect(partners.row('aurora')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', `/api/v1/partners/export.csv?q=${encodeURIComponent(paymentAccount.id)}`);

  // So does a store's.
  const store = aurora.brands.flatMap((b) => b.store_groups.flatMap((g) => g.stores))[0]!;
  await partners.search(store.id);
  await expect(partners.rows()).toHaveCount(1);
  await partners.row('aurora').click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Aurora Outfitters');
  await expect(partners.tree).toBeVisible();
  await expect(partners.node('Account', 'Aurora Outfitters')).toContainText(aurora.summary.klarna_account_id);
  await expect(partners.node('Payment account', paymentAccount.reference || paymentAccount.id)).toContainText(paymentAccount.id);
  await expect(partners.node('Store', store.url || store.reference || store.id)).toContainText(store.id);
  await expect(page.getByRole('link', { name: 'Add resources' })).toHaveAttribute('href', `/onboarding/new?partner=${aurora.summary.tenant_id}`);
  await saveScreenshot(page, 'partner-tree.png', { fullPage: true });

  await page.getByRole('link', { name: '← All partners' }).click();
  await page.getByText('Onboarding board').click();
  await expect(page).toHaveURL(/\/partners\/onboarding$/);
  await expect(partners.board('Operational').getByRole('link', { name: 'Aurora Outfitters' })).toBeVisible();
  await saveScreenshot(page, 'onboarding-board.png', { fullPage: true });
});

test('the directory works at phone width without the page scrolling sideways', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await new LoginPage(page).loginAs('acquirer-admin', '/partners');
  const partners = new PartnersPage(page);
  await expect(partners.row('aurora')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'page scrolls sideways').toBeLessThanOrEqual(390);
  await saveScreenshot(page, 'phone-partners.png');
});

test('the merchant admin of Aurora sees only Aurora, and "Not found" for Borealis', async ({ page }) => {
  expect(borealisId, 'set by the first test').not.toBe('');
  await new LoginPage(page).loginAs('merchant-admin', '/partners');
  const partners = new PartnersPage(page);
  await expect(partners.row('aurora')).toBeVisible();
  await expect(partners.rows()).toHaveCount(1);
  // Searching for Borealis finds nothing either.
  await partners.search('Borealis');
  await expect(page.getByRole('heading', { name: 'No partner matches' })).toBeVisible();

  await page.goto(`/partners/${borealisId}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not found');
  await expect(page.getByText('Borealis Bikes')).toHaveCount(0);
  expect((await page.request.get(`/api/v1/tenants/${borealisId}/partner`)).status()).toBe(404);
});
