import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { saveScreenshot } from '../pages/screenshots';

// The demo's disputes (internal/app/seed_disputes.go) give the analytics real content: Aurora and
// Borealis disputes in SEK, some open, one closed lost after its deadline passed, closed ones of both.
const CHARTS = ['Win rate by reason', 'Win rate by partner', 'Win rate by month', 'Amounts at stake and lost', 'Response time', 'Disputes by week'];

/** Waits (through the API) until the demo's disputes of both partners count in the analytics, some of them decided and some answered. */
async function demoAnalytics(page: Page) {
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/disputes/analytics');
        if (!res.ok()) return `analytics answered ${res.status()}`;
        const a = (await res.json()) as { amounts: { open_count: number }[]; win_rate_by_partner: { label: string; win_rate: number | null }[]; response_time: unknown[] };
        const decided = a.win_rate_by_partner.filter((p) => p.win_rate !== null).map((p) => p.label);
        if (a.response_time.length === 0) return 'no dispute answered yet';
        return a.amounts.length > 0 && decided.includes('Aurora Outfitters') && decided.includes('Borealis Bikes') ? 'ready' : `decided so far: ${decided.join(', ') || 'none'}`;
      },
      { timeout: 90_000, message: "the demo partners' decided disputes reached the analytics" },
    )
    .toBe('ready');
}

test('acquirer-support opens the analytics from the queue, reads the charts and downloads one as CSV', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await new LoginPage(page).loginAs('acquirer-support', '/disputes');
  await demoAnalytics(page);

  await page.getByRole('link', { name: 'Analytics' }).click();
  await expect(page).toHaveURL(/\/disputes\/analytics$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Dispute analytics' })).toBeVisible();
  for (const name of CHARTS) {
    const chart = page.getByRole('region', { name });
    await expect(chart.getByRole('img')).toBeVisible();
    await expect(chart.getByRole('link', { name: `Download CSV: ${name}` })).toHaveAttribute('href', /\/api\/v1\/disputes\/analytics\.csv\?chart=/);
  }
  // Values a person can read: both partners ranked, the demo's SEK amounts, the reason in plain words.
  const partners = page.getByRole('region', { name: 'Win rate by partner' });
  await expect(partners.getByRole('img')).toContainText('Aurora Outfitters');
  await expect(partners.getByRole('img')).toContainText('Borealis Bikes');
  await expect(partners.getByRole('img')).toContainText(/\d+%/);
  await expect(page.getByRole('region', { name: 'Amounts at stake and lost' }).getByRole('img')).toContainText('SEK');
  await expect(page.getByRole('region', { name: 'Win rate by reason' }).getByRole('img')).toContainText('Not received');
  await saveScreenshot(page, 'dispute-analytics.png', { fullPage: true });

  // One chart's data as CSV: the documented header, then a row per week.
  const weeks = page.getByRole('region', { name: 'Disputes by week' });
  const [download] = await Promise.all([page.waitForEvent('download'), weeks.getByRole('link', { name: /Download CSV/ }).click()]);
  expect(download.suggestedFilename()).toBe('disputes-states_by_week.csv');
  const lines = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
  expect(lines[0]).toBe('week,opened,closed,open_at_end');
  expect(lines.length).toBeGreaterThan(50); // the last 12 months, week by week
  const opened = lines.slice(1).reduce((n, l) => n + Number(l.split(',')[1]), 0);
  expect(opened).toBeGreaterThanOrEqual(10); // the demo opens 10 disputes; the simulator's traffic may add more

  // A filter goes into the address, the charts' request and every CSV link.
  const form = page.getByRole('form', { name: 'Analytics filters' });
  await form.getByRole('textbox', { name: 'Currency' }).fill('SEK');
  await form.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]currency=SEK/);
  await expect(weeks.getByRole('link', { name: /Download CSV/ })).toHaveAttribute('href', /chart=states_by_week.*currency=SEK/);
  await expect(page.getByRole('region', { name: 'Amounts at stake and lost' }).getByRole('img')).toContainText('SEK');
});

test('the analytics at phone width: every chart fits, nothing scrolls sideways', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await new LoginPage(page).loginAs('acquirer-support', '/disputes/analytics');
  await demoAnalytics(page);
  await page.reload();
  for (const name of CHARTS) await expect(page.getByRole('region', { name }).getByRole('img')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'page scrolls sideways').toBeLessThanOrEqual(390);
  // Each drawing is as wide as its card, not wider.
  for (const name of CHARTS) {
    const box = await page.getByRole('region', { name }).getByRole('img').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${name} overflows`).toBeLessThanOrEqual(390);
  }
  await saveScreenshot(page, 'phone-dispute-analytics.png', { fullPage: true });
});
