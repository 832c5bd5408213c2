import { expect, test } from '@playwright/test';
import { CredentialsTab } from '../pages/CredentialsPage';
import { LoginPage } from '../pages/LoginPage';
import { PERSONAS } from '../pages/personas';
import { saveScreenshot } from '../pages/screenshots';

// Klarna shows an API key's secret once; Partner Desk passes it to the browser once and keeps it nowhere.
test('a merchant admin creates an API key and sees its secret once', async ({ page }) => {
  await new LoginPage(page).loginAs('merchant-admin', '/overview');
  const tab = new CredentialsTab(page);
  await tab.openOwn();

  const description = `e2e key ${Date.now()}`;
  const { dialog, secret } = await tab.createKey(description);
  expect(secret).toMatch(/^klarna_test_api_/);
  await expect(dialog.getByRole('button', { name: 'Copy key' })).toBeVisible();
  await saveScreenshot(page, 'credentials-secret.png');
  const download = dialog.getByRole('link', { name: 'Download .txt' });
  await expect(download).toHaveAttribute('download', /^klarna-api-key-.+\.txt$/);

  await dialog.getByRole('button', { name: 'I have saved it' }).click();
  await expect(dialog).toBeHidden();
  // The list shows the key, enabled and made by this user, without any secret.
  await expect(tab.keyRow(description)).toBeVisible();
  await expect(tab.keyRow(description).getByText('ENABLED')).toBeVisible();
  await expect(tab.keyRow(description).getByText(PERSONAS['merchant-admin'].email)).toBeVisible();
  expect(await page.content()).not.toContain(secret);

  // Nor after a reload, nor in what the API answers.
  await page.reload();
  await expect(tab.keyRow(description)).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  await saveScreenshot(page, 'credentials-tab.png', { fullPage: true });
  const me = (await (await page.request.get('/api/v1/me')).json()) as { tenants: { id: string; slug: string }[] };
  const aurora = me.tenants.find((t) => t.slug === 'aurora')!;
  const listed = await page.request.get(`/api/v1/tenants/${aurora.id}/credentials`);
  expect(listed.ok()).toBe(true);
  expect(await listed.text()).not.toContain(secret);
});

// The demo's Aurora holds an old key nobody used: the inventory warns before Klarna disables it.
test('acquirer-admin sees every partner’s credentials and the warning on an unused key', async ({ page }) => {
  await new LoginPage(page).loginAs('acquirer-admin', '/credentials');
  const table = page.getByRole('table', { name: 'Partner credentials' });
  const legacy = table.locator('tr[data-credential="Legacy ERP sync"]');
  await expect(legacy.getByText(/Klarna disables it in \d+ days/)).toBeVisible();
  await expect(table.locator('tr[data-credential="POS integration"]')).toBeVisible();
  await saveScreenshot(page, 'credentials.png', { fullPage: true });

  const filters = page.getByRole('form', { name: 'Credential filters' });
  await filters.getByRole('switch', { name: 'About to be disabled for lack of use' }).check();
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]unused=true/);
  await expect(table.locator('tr[data-credential="POS integration"]')).toBeHidden();
  await expect(legacy).toBeVisible();
});
