import { expect, test, type Page } from '@playwright/test';
import { AppShellPage } from '../pages/AppShellPage';
import { LoginPage } from '../pages/LoginPage';
import { type PersonaId } from '../pages/personas';
import { localScreenshot, saveScreenshot } from '../pages/screenshots';

// Home (issue 13): each persona starts on the tiles its roles work on, in its tenant, and a tile opens the
// list it counts. The demo's disputes and payouts arrive from the simulator shortly after start.

/** The groups of tiles each persona's home shows, top to bottom. */
const GROUPS: Record<Exclude<PersonaId, 'merchant-admin-b'>, string[]> = {
  'acquirer-admin': ['Partners and integration', 'Disputes', 'Settlements'],
  'acquirer-support': ['Disputes'],
  'acquirer-finance': ['Settlements'],
  auditor: ['Settlements'],
  'merchant-admin': ['Partners and integration', 'Disputes', 'Settlements'],
  'merchant-disputes': ['Disputes'],
  'merchant-finance': ['Settlements'],
};

/** The count a tile shows, once the page has it. */
async function tileCount(page: Page, label: string): Promise<number> {
  const tile = page.getByRole('link', { name: new RegExp(`^${label}: \\d+$`) });
  await expect(tile).toBeVisible();
  return Number((await tile.getAttribute('aria-label'))!.split(': ')[1]);
}

for (const [persona, groups] of Object.entries(GROUPS) as [keyof typeof GROUPS, string[]][]) {
  test(`${persona} starts at Home with the tiles its roles work on`, async ({ page }) => {
    await new LoginPage(page).loginAs(persona, '/');
    const shell = new AppShellPage(page);
    await expect(shell.heading).toHaveText('Home');
    await expect(page).toHaveURL(/\/home$/);
    const sections = page.locator('section[aria-labelledby^="home-"]');
    await expect(sections).toHaveCount(groups.length);
    for (const [i, g] of groups.entries()) await expect(sections.nth(i).getByRole('heading', { level: 2, name: g })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Open in Klarna Portal' })).toHaveCount(persona === 'merchant-admin' ? 1 : 0);
    // The README shows the acquirer admin's home and a merchant admin's on a phone; the rest are for review.
    const shot = persona === 'acquirer-admin' ? saveScreenshot : localScreenshot;
    await shot(page, `home-${persona}.png`, { fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(sections.first()).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'home scrolls sideways on a phone').toBeLessThanOrEqual(390);
    await (persona === 'merchant-admin' ? saveScreenshot : localScreenshot)(page, `home-${persona}-phone.png`, { fullPage: true });
  });
}

test('acquirer-support follows the 24-hour tile to exactly that many disputes', async ({ page }) => {
  test.setTimeout(150_000);
  await new LoginPage(page).loginAs('acquirer-support', '/');
  // The demo's disputes arrive from the simulator: wait for the tile to count some.
  await expect
    .poll(
      async () => {
        await page.reload();
        return tileCount(page, 'Disputes due within 24 h');
      },
      { timeout: 90_000, message: 'the demo disputes due within a day reached the home' },
    )
    .toBeGreaterThan(0);
  const n = await tileCount(page, 'Disputes due within 24 h');
  await page.getByRole('link', { name: `Disputes due within 24 h: ${n}` }).click();
  await expect(page).toHaveURL(/\/disputes\?view=expires_soon&due_within=24h$/);
  await expect(page.getByRole('table', { name: 'Disputes' }).getByRole('row')).toHaveCount(n + 1); // and the header row
});

test('acquirer-admin follows the disabled-product tile to the partner it counts', async ({ page }) => {
  test.setTimeout(150_000);
  await new LoginPage(page).loginAs('acquirer-admin', '/');
  await expect
    .poll(
      async () => {
        await page.reload();
        return tileCount(page, 'Payment product disabled');
      },
      { timeout: 90_000, message: 'the demo directory was read from Klarna' },
    )
    .toBeGreaterThan(0);
  const n = await tileCount(page, 'Payment product disabled');
  await page.getByRole('link', { name: `Payment product disabled: ${n}` }).click();
  await expect(page).toHaveURL(/\/partners\?product_status=DISABLED$/);
  const table = page.getByRole('table', { name: 'Partners' });
  await expect(table.getByRole('row')).toHaveCount(n + 1);
  await expect(table.getByText('Granite Games')).toBeVisible();
});
