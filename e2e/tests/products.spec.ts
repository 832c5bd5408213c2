import { expect, test } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { PaymentProductPage } from '../pages/PaymentProductPage';
import { STEP_UP_MAX_AGE_SECONDS } from '../pages/servers';

// Runs against the step-up server (project chromium-step-up), whose logins are
// "recent" for STEP_UP_MAX_AGE_SECONDS only.

const SLUG = 'elm-electronics';

test('an acquirer admin disables a payment product after a fresh login, and Klarna confirms it', async ({ page }) => {
  await new LoginPage(page).loginAs('acquirer-admin', '/partners');
  // The demo partner's account, read from the simulator.
  let tenantId = '';
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/partners?q=${SLUG}`);
        const items = ((await res.json()) as { items: { tenant_id: string; tenant_slug: string; product_status: string }[] }).items;
        const p = items.find((i) => i.tenant_slug === SLUG);
        tenantId = p?.tenant_id ?? '';
        return p?.product_status;
      },
      { timeout: 60_000 },
    )
    .toBe('ENABLED');

  const product = new PaymentProductPage(page);
  await product.open(tenantId);
  await expect(product.status()).toHaveText('Enabled');
  const posts: number[] = [];
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && /\/partner\/payment-product\/disable$/.test(new URL(res.url()).pathname)) posts.push(res.status());
  });

  // Let the login age past the step-up window: time itself is what is tested.
  const me = (await (await page.request.get('/api/v1/me')).json()) as { auth_time: string };
  await page.waitForTimeout(Math.max(0, Date.parse(me.auth_time) + (STEP_UP_MAX_AGE_SECONDS + 2) * 1000 - Date.now()));

  await product.disable('Chargeback ratio above 2% (e2e)');
  // Sent, refused for an old login, the IdP again (step_up=1), back with resume=1 and sent once more.
  await expect(page.getByRole('status').filter({ hasText: /Done: Disable the payment product of/ })).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(new RegExp(`/partners/${tenantId}\\?tab=products$`));
  expect(posts).toEqual([401, 202]);

  // Klarna applies it and says so by webhook: the status and the history follow.
  await expect(product.status()).toHaveText('Disabled', { timeout: 30_000 });
  await expect(product.history).toContainText('Disable requested');
  await expect(product.history.getByRole('row').filter({ hasText: 'Chargeback ratio above 2% (e2e)' }).first()).toBeVisible();
  await expect(product.history).toContainText('admin@acquirer.example');
});
