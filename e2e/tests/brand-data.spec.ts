import { expect, test } from '@playwright/test';
import { BrandDataPage } from '../pages/BrandDataPage';
import { LoginPage } from '../pages/LoginPage';
import { PERSONAS } from '../pages/personas';
import { saveScreenshot } from '../pages/screenshots';

interface Detail {
  summary: { tenant_id: string };
  brands: { store_groups: { stores: { id: string; url: string; reference: string }[] }[] }[];
}

test('a merchant admin edits a store URL and sees Klarna apply it', async ({ page }) => {
  // The first read of Aurora's account from the simulator may still be under way.
  test.setTimeout(120_000);
  await new LoginPage(page).loginAs('merchant-admin', '/partners');
  let detail: Detail | undefined;
  await expect
    .poll(
      async () => {
        const list = await page.request.get('/api/v1/partners');
        const item = ((await list.json()) as { items: { tenant_id: string; name: string }[] }).items.find((p) => p.name === 'Aurora Outfitters');
        if (!item) return 'Aurora not listed yet';
        detail = (await (await page.request.get(`/api/v1/tenants/${item.tenant_id}/partner`)).json()) as Detail;
        return detail.brands.some((b) => b.store_groups.some((g) => g.stores.length > 0)) ? 'read' : 'tree not read from Klarna yet';
      },
      { timeout: 60_000, message: "Aurora's account read from the simulator" },
    )
    .toBe('read');
  const store = detail!.brands.flatMap((b) => b.store_groups.flatMap((g) => g.stores))[0]!;
  const url = `https://shop-${Date.now()}.aurora.example`;

  const brandData = new BrandDataPage(page);
  await brandData.open(detail!.summary.tenant_id);
  const card = brandData.store(store.id);
  await expect(card).toBeVisible();
  await expect(card.getByText(store.reference).first()).toBeVisible();
  const form = await brandData.editStore(card);
  // Our reference is Klarna's key for the store: read-only.
  await expect(form.getByLabel(/Store reference/)).toHaveAttribute('readonly', '');
  // The demo's last change of this store was refused by Klarna (a store type it does not know); a web site it is.
  await form.locator('input#f-type').click();
  await page.getByRole('option', { name: 'Web site' }).click();
  await form.getByLabel(/^URL/).fill(url);
  await form.getByRole('button', { name: 'Save and send to Klarna' }).click();

  await expect(brandData.latestChange(card).getByText('Applied')).toBeVisible({ timeout: 30_000 });
  await expect(card.getByText(`WEBSITE · ${url}`)).toBeVisible({ timeout: 15_000 });
  await saveScreenshot(page, 'brand-data.png', { fullPage: true });

  // The change history has it: who, before and after.
  await page.getByRole('tab', { name: 'Change history' }).click();
  const item = page.getByRole('article', { name: `update Store ${store.reference}` }).first();
  await expect(item).toContainText(PERSONAS['merchant-admin'].email);
  await item.getByRole('button', { name: 'Details' }).click();
  const row = item.getByRole('table', { name: 'Before and after' }).getByRole('row', { name: /url/ });
  await expect(row).toContainText(store.url);
  await expect(row).toContainText(url);
  await saveScreenshot(page, 'change-history.png', { fullPage: true });
});
