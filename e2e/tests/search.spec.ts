import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';

// The global search in the header (issue 13): `/` opens it, an id of exactly one object opens that object on
// Enter. The demo's disputes and payouts arrive from the simulator shortly after start.

interface Item {
  [field: string]: unknown;
}

/** The first item of an API list once the demo's data has arrived. */
async function firstOf(page: Page, path: string, what: string): Promise<Item> {
  let first: Item | undefined;
  await expect
    .poll(
      async () => {
        const res = await page.request.get(path);
        if (!res.ok()) return `${path} answered ${res.status()}`;
        first = ((await res.json()) as { items: Item[] }).items[0];
        return first ? 'arrived' : 'none yet';
      },
      { timeout: 90_000, message: what },
    )
    .toBe('arrived');
  return first!;
}

async function search(page: Page, q: string) {
  await page.locator('body').press('/');
  const box = page.getByRole('combobox', { name: /Search for an id/ });
  await expect(box).toBeFocused();
  await box.fill(q);
  await box.press('Enter');
}

test('acquirer-support pastes a dispute id into the search and lands on the dispute', async ({ page }) => {
  test.setTimeout(150_000);
  await new LoginPage(page).loginAs('acquirer-support', '/disputes');
  const d = await firstOf(page, '/api/v1/disputes?view=all&limit=1', "the demo's disputes reached the queue");
  const id = String(d.id);
  await search(page, id);
  await expect.poll(() => decodeURIComponent(new URL(page.url()).pathname)).toBe(`/disputes/${id}`);
  await expect(page.getByText(id).first()).toBeVisible();
});

test('acquirer-finance finds a payout by its payment reference; another partner finds nothing', async ({ page, browser }) => {
  test.setTimeout(150_000);
  await new LoginPage(page).loginAs('acquirer-finance', '/settlements');
  const p = await firstOf(page, '/api/v1/payouts?limit=1', "the demo's payouts were read from Klarna");
  const ref = String(p.payment_reference);
  await search(page, ref);
  await expect.poll(() => decodeURIComponent(new URL(page.url()).pathname)).toBe(`/settlements/payouts/${ref}`);
  await expect(page.getByText(ref).first()).toBeVisible();

  // The partner the payout is not of: the same "Nothing found" as an unknown reference.
  const other = p.partner_name === 'Aurora Outfitters' ? 'merchant-admin-b' : 'merchant-admin';
  const ctx = await browser.newContext();
  const merchant = await ctx.newPage();
  await new LoginPage(merchant).loginAs(other, '/');
  await search(merchant, ref);
  await expect(merchant.getByText(`Nothing found for “${ref}”`)).toBeVisible();
  await ctx.close();
});
