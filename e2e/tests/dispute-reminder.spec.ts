import { expect, test } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { SIMULATOR_URL } from '../pages/servers';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A dispute opened at the simulator after the handler has signed in is theirs to be reminded of, whoever
// else signed in before: its reminders go to the assignee or, unassigned, to every Aurora dispute handler.
// "Purchase high risk" gives 96 h to answer, under the 7-day threshold, so the job's next run reminds.
// The spec runs the job through the dev trigger instead of waiting for its interval.
test('a deadline reminder appears in the bell of the merchant dispute handler and opens the dispute', async ({ page }) => {
  test.setTimeout(120_000);
  await new LoginPage(page).loginAs('merchant-disputes', '/disputes');

  // Aurora's Klarna account, from one of its disputes
  let account = '';
  await expect
    .poll(
      async () => {
        const list = await page.request.get('/api/v1/disputes?limit=1');
        const first = list.ok() ? ((await list.json()) as { items: { id: string }[] }).items[0] : undefined;
        if (!first) return 'no dispute yet';
        const detail = await page.request.get(`/api/v1/disputes/${encodeURIComponent(first.id)}`);
        account = ((await detail.json()) as { klarna_account_id: string }).klarna_account_id;
        return account ? 'found' : 'no account';
      },
      { timeout: 60_000, message: "Aurora's disputes reached the queue" },
    )
    .toBe('found');

  const opened = await page.request.post(`${SIMULATOR_URL}/_sim/disputes`, {
    data: { partner_account_id: account, reason: 'PURCHASE_HIGH_RISK' },
  });
  expect(opened.status()).toBe(201);
  const [id] = ((await opened.json()) as { payment_dispute_ids: string[] }).payment_dispute_ids;
  if (!id) throw new Error('the simulator opened no dispute');
  await expect
    .poll(async () => (await page.request.get(`/api/v1/disputes/${encodeURIComponent(id)}`)).status(), {
      timeout: 60_000,
      message: "the new dispute's webhook reached Partner Desk",
    })
    .toBe(200);

  const csrf = (await page.context().cookies()).find((c) => c.name === 'pd_csrf')?.value ?? '';
  const run = await page.request.post('/api/v1/dev/reminders/run', { headers: { 'X-CSRF-Token': csrf } });
  expect(run.status()).toBe(204);

  await page.reload();
  const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
  await expect(bell).toBeVisible();
  await bell.click();
  const panel = page.getByRole('dialog', { name: 'Notifications' });
  const reminder = panel.getByRole('button', { name: new RegExp(`^Unread: Dispute ${escapeRe(id)}: deadline in `) });
  await expect(reminder).toBeVisible();
  await reminder.click();
  await expect(page).toHaveURL(new RegExp(`/disputes/${escapeRe(encodeURIComponent(id))}|/disputes/${escapeRe(id)}`));
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});
