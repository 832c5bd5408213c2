import { expect, test, type Page } from '@playwright/test';
import { AppShellPage } from '../pages/AppShellPage';
import { LoginPage } from '../pages/LoginPage';
import { saveScreenshot } from '../pages/screenshots';
import { Simulator, WebhookEventPage, WebhookSettingsPage, WebhooksPage } from '../pages/WebhooksPage';

// `partnerdesk dev` subscribes itself to its simulator at start; the simulator's
// traffic and the control API make events arrive. Serial: later tests use events
// the earlier ones made arrive.
test.describe.configure({ mode: 'serial' });

/** Events can take a while: delivery, verification, a River job, on a busy machine. */
const ARRIVAL = { timeout: 45_000 };

function watchProblems(page: Page) {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  return problems;
}

interface ApiEvent {
  id: number;
  event_type: string;
  status: string;
  subject_account_id: string;
  tenant_name?: string;
}

async function listEvents(page: Page, query: string): Promise<ApiEvent[]> {
  const res = await page.request.get(`/api/v1/webhooks/events?${query}`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: ApiEvent[] }).items;
}

async function clearNotifications(page: Page) {
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await page.mouse.move(0, 0);
}

let replayedId = 0;

test('acquirer-admin sees processed dispute events for both partners, filters, opens one and replays it', async ({ page, request }) => {
  const problems = watchProblems(page);
  await new Simulator(request).openDisputesForEveryPartner(1);
  await page.setViewportSize({ width: 1440, height: 900 });
  await new LoginPage(page).loginAs('acquirer-admin', '/webhooks');
  const inbox = new WebhooksPage(page);
  await expect(inbox.table).toBeVisible(ARRIVAL);

  // Dispute events processed for each persona partner (the simulator spreads disputes over every
  // demo partner, so each is looked for through the inbox's partner filter, not on the first page).
  const disputes = inbox.rows({ type: /^payment\.dispute\./, status: 'processed' });
  for (const [slug, partner] of [['aurora', 'Aurora Outfitters'], ['borealis', 'Borealis Bikes']]) {
    await inbox.goto(`?type=payment.dispute.&partner=${slug}`);
    await inbox.setAutoRefresh(true);
    await expect(disputes.filter({ hasText: partner }).first()).toBeVisible(ARRIVAL);
  }
  await inbox.goto();

  await inbox.filterByType('payment.dispute.');
  await expect(page).toHaveURL(/\/webhooks\?type=payment\.dispute\.$/);
  await expect(inbox.rows().first()).toBeVisible();
  const types = await inbox.table.locator('tbody tr td:nth-child(2)').allTextContents();
  expect(types.length).toBeGreaterThan(0);
  for (const t of types) expect(t).toMatch(/^payment\.dispute\./);

  await inbox.setAutoRefresh(false);
  await clearNotifications(page);
  await inbox.filterByType('');
  await expect(inbox.rows({ status: 'processed' }).first()).toBeVisible();
  await saveScreenshot(page, 'webhooks.png');
  await inbox.filterByType('payment.dispute.');
  // The row links carry the filter back to the inbox: click one only once the filter is in the address (a row
  // shown both before and after it would otherwise be clicked with the unfiltered list's link).
  await expect(page).toHaveURL(/\/webhooks\?type=payment\.dispute\.$/);

  // Open a processed dispute event (with one attempt).
  const [candidate] = (await listEvents(page, 'type=payment.dispute.&status=processed&limit=50')).filter((e) => e.tenant_name);
  expect(candidate, 'a processed dispute event for a partner').toBeDefined();
  replayedId = candidate!.id;
  await inbox.row(replayedId).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/webhooks/${replayedId}$`));
  const detail = new WebhookEventPage(page);
  await expect(detail.payload).toContainText(`"event_type": "${candidate!.event_type}"`);
  await expect(detail.status).toHaveText('processed');
  await expect(detail.attemptRows()).toHaveCount(1);
  await expect(detail.attemptRows().first()).toContainText('processed');
  await expect(page.getByRole('region', { name: 'Related' })).toContainText(candidate!.tenant_name!);

  await detail.replayEvent();
  await expect(detail.attemptRows()).toHaveCount(2, ARRIVAL);
  await expect(detail.status).toHaveText('processed');
  await expect(detail.attemptCount).toHaveText('2');
  await clearNotifications(page);
  // The viewport, not the full page: the layout's footer is fixed and would cut through a full-page picture.
  await page.setViewportSize({ width: 1440, height: 1400 });
  await saveScreenshot(page, 'webhook-detail.png');

  // Back keeps the filter.
  await page.getByRole('link', { name: '← Back to the inbox' }).click();
  await expect(page).toHaveURL(/\/webhooks\?type=payment\.dispute\.$/);
  expect(problems).toEqual([]);
});

test('Settings → Webhooks shows the subscription and counters; a test event arrives in the inbox', async ({ page, request }) => {
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await new LoginPage(page).loginAs('acquirer-admin', '/settings');
  await page.getByRole('main').getByRole('link', { name: 'Webhooks' }).click();
  const settings = new WebhookSettingsPage(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Webhook settings');

  const rows = settings.subscriptions.locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('ENABLED');
  const subscriptionId = await rows.first().getAttribute('data-subscription');
  expect(subscriptionId).toBeTruthy();
  await expect(page.getByRole('table', { name: 'Signing keys' }).locator('tbody tr').first()).toContainText('current');
  await expect(settings.count('processed')).toHaveText(/^[1-9]\d*$/);
  await expect(settings.count('quarantined')).toHaveText(/^\d+$/);
  await expect(page.getByRole('table', { name: 'Top event types' })).toContainText(/payment\.(dispute|request)\./);

  const acquirerAccount = await new Simulator(request).acquirerAccountId();
  const before = Math.max(0, ...(await listEvents(page, 'type=settlement.report.created&limit=200')).map((e) => e.id));
  await settings.sendTestEvent(subscriptionId!, 'settlement.report.created');
  await expect(page.getByRole('status').filter({ hasText: 'Test event requested' })).toBeVisible();
  await clearNotifications(page);
  await page.setViewportSize({ width: 1440, height: 1200 });
  await saveScreenshot(page, 'settings-webhooks.png');

  // The sample is about the acquirer's own account, which tells it apart from the simulator's traffic.
  let sample: ApiEvent | undefined;
  await expect
    .poll(async () => {
      sample = (await listEvents(page, 'type=settlement.report.created&limit=50')).find((e) => e.id > before && e.subject_account_id === acquirerAccount);
      return sample?.id ?? 0;
    }, ARRIVAL)
    .toBeGreaterThan(0);

  const inbox = new WebhooksPage(page);
  await inbox.goto('?type=settlement.report.created');
  await expect(inbox.row(sample!.id)).toBeVisible();
  await expect(inbox.row(sample!.id)).toContainText('settlement.report.created');
  expect(problems).toEqual([]);
});

test('merchant-admin has no webhooks: no navigation item, no access page, 403 from the API', async ({ page }) => {
  await new LoginPage(page).loginAs('merchant-admin', '/');
  const shell = new AppShellPage(page);
  await expect(shell.navLink('Webhooks')).toHaveCount(0);
  await page.goto('/webhooks');
  await expect(page.getByText('You don’t have access to this page')).toBeVisible();
  expect((await page.request.get('/api/v1/webhooks/events')).status()).toBe(403);
  await page.goto('/settings/webhooks');
  await expect(page.getByText('You don’t have access to this page')).toBeVisible();
});

test('auditor reads the inbox and an event but cannot replay', async ({ page }) => {
  expect(replayedId, 'set by the first test').toBeGreaterThan(0);
  const problems = watchProblems(page);
  await new LoginPage(page).loginAs('auditor', '/webhooks');
  const inbox = new WebhooksPage(page);
  await expect(inbox.rows().first()).toBeVisible(ARRIVAL);
  await expect(inbox.replayMatching).toHaveCount(0);

  await page.goto(`/webhooks/${replayedId}`);
  const detail = new WebhookEventPage(page);
  await expect(detail.attemptRows()).toHaveCount(2);
  await expect(detail.replay).toHaveCount(0);
  // Nor does the API let an auditor replay.
  const res = await page.request.post(`/api/v1/webhooks/events/${replayedId}/replay`, {
    headers: { 'X-CSRF-Token': (await page.context().cookies()).find((c) => c.name === 'pd_csrf')?.value ?? '' },
  });
  expect(res.status()).toBe(403);
  expect(problems).toEqual([]);
});
