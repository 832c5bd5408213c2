import { expect, test } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { saveScreenshot } from '../pages/screenshots';

// The Klarna call log (issue 13): the demo's seeding already called Klarna (the simulator) for every partner.

test('acquirer-admin reads every call to Klarna, opens one, and a merchant admin sees its own partner’s only', async ({ page, browser }) => {
  await new LoginPage(page).loginAs('acquirer-admin', '/klarna-calls');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Klarna calls');
  const table = page.getByRole('table', { name: 'Klarna calls' });
  await expect(table.getByRole('row').nth(1)).toBeVisible();
  // Partners other than the merchant's are in the acquirer's log.
  await expect(table.getByText('Borealis Bikes').first()).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 1000 });
  await saveScreenshot(page, 'klarna-calls.png');
  await table.getByRole('row').nth(1).click();
  const drawer = page.getByRole('dialog', { name: 'Klarna call' });
  await expect(drawer.getByText('Our correlation id')).toBeVisible();
  await expect(drawer).not.toContainText(/Basic |api[_-]?key/i);

  const ctx = await browser.newContext();
  const merchant = await ctx.newPage();
  await new LoginPage(merchant).loginAs('merchant-admin', '/klarna-calls');
  const own = merchant.getByRole('table', { name: 'Klarna calls' });
  await expect(own.getByText('Aurora Outfitters').first()).toBeVisible();
  await expect(own.getByText('Borealis Bikes')).toHaveCount(0);
  await ctx.close();
});
