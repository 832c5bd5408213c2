import { expect, test } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';

// The demo's Aurora disputes are unassigned and some are days from their deadline, so the reminder job
// (every PARTNERDESK_REMINDER_INTERVAL, short in this run) tells Aurora's dispute handlers in the bell.
test('a deadline reminder appears in the bell of the merchant dispute handler and opens the dispute', async ({ page }) => {
  test.setTimeout(150_000);
  await new LoginPage(page).loginAs('merchant-disputes', '/disputes');
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/notifications');
        if (!res.ok()) return `notifications answered ${res.status()}`;
        const body = (await res.json()) as { items: { title: string }[] };
        return body.items.some((n) => /^Dispute .*: deadline in /.test(n.title)) ? 'reminded' : `${body.items.length} notifications`;
      },
      { timeout: 120_000, message: 'a deadline reminder reached the handler' },
    )
    .toBe('reminded');
  await page.reload();
  const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
  await expect(bell).toBeVisible();
  await bell.click();
  const panel = page.getByRole('dialog', { name: 'Notifications' });
  const reminder = panel.getByRole('button', { name: /^Unread: Dispute .*: deadline in / }).first();
  await expect(reminder).toBeVisible();
  await reminder.click();
  await expect(page).toHaveURL(/\/disputes\/[^/?]+/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});
