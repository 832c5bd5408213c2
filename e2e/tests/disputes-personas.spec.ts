import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { PERSONAS, policyActions, type PersonaId } from '../pages/personas';
import { localScreenshot } from '../pages/screenshots';

// Every persona that may read disputes walks the queue and one dispute at desktop and at phone width:
// it sees only its own partner's disputes (merchants) or every partner's (acquirer roles), the answer
// controls only with dispute:respond, and no page scrolls sideways. The pictures stay in e2e/screenshots
// for a reviewer to read.
const OWN_PARTNER: Partial<Record<PersonaId, string>> = {
  'merchant-admin': 'Aurora Outfitters',
  'merchant-disputes': 'Aurora Outfitters',
  'merchant-admin-b': 'Borealis Bikes',
};

/** The partners whose disputes the persona's queue holds, once the demo's disputes have arrived. */
async function queuePartners(page: Page, persona: PersonaId): Promise<Set<string>> {
  let names = new Set<string>();
  const own = OWN_PARTNER[persona];
  await expect
    .poll(
      async () => {
        const res = await page.request.get('/api/v1/disputes?view=all&limit=200');
        if (!res.ok()) return `queue answered ${res.status()}`;
        names = new Set(((await res.json()) as { items: { partner_name: string }[] }).items.map((d) => d.partner_name));
        const want = own ? [own] : ['Aurora Outfitters', 'Borealis Bikes'];
        return want.every((n) => names.has(n)) ? 'arrived' : `partners so far: ${[...names].join(', ') || 'none'}`;
      },
      { timeout: 90_000, message: `the demo's disputes reached ${persona}'s queue` },
    )
    .toBe('arrived');
  return names;
}

/**
 * Fails when the page stays wider than the screen once the layout has settled after the resize,
 * naming the innermost elements that stick out.
 */
async function noSidewaysScroll(page: Page, width: number) {
  const overflow = () => page.evaluate((w) => {
    if (document.documentElement.scrollWidth <= w) return [];
    const sticksOut = (el: Element) => el.getBoundingClientRect().right > w + 1;
    // Inside a box that scrolls or clips sideways (a table, the tabs) nothing widens the page.
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const wide = [...document.querySelectorAll('body *')].filter((el) => sticksOut(el) && !clipped(el));
    const out = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    if (out.length === 0) return [`the page is ${document.documentElement.scrollWidth} px wide`];
    return out.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').slice(0, 40)}" right=${Math.round(el.getBoundingClientRect().right)}`);
  }, width);
  await expect.poll(overflow, { message: 'page scrolls sideways' }).toEqual([]);
}

const actions = policyActions();
for (const persona of Object.keys(PERSONAS) as PersonaId[]) {
  const can = actions.get(PERSONAS[persona].role) ?? new Set<string>();
  if (!can.has('dispute:read')) continue;

  test(`${persona} walks the dispute queue and a dispute at desktop and phone width`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await new LoginPage(page).loginAs(persona, '/disputes');
    const partners = await queuePartners(page, persona);
    const own = OWN_PARTNER[persona];
    if (own) expect([...partners], `${persona} sees only its own partner's disputes`).toEqual([own]);
    await page.reload();

    const table = page.getByRole('table', { name: 'Disputes' });
    const rows = table.locator('tbody tr[data-dispute]');
    await expect(rows.first()).toBeVisible();
    // Acquirer roles see which partner a dispute belongs to; a merchant has only one.
    await expect(table.getByRole('columnheader', { name: 'Partner' })).toHaveCount(own ? 0 : 1);
    await localScreenshot(page, `walk-${persona}-queue.png`, { fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await expect(rows.first()).toBeVisible();
    await noSidewaysScroll(page, 390);
    await localScreenshot(page, `walk-${persona}-queue-phone.png`, { fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });

    await rows.first().click();
    await expect(page).toHaveURL(/\/disputes\/[^/?]+$/);
    await expect(page.getByRole('region', { name: 'Timeline' })).toBeVisible();
    // The answer controls are there exactly when the role may respond.
    const reread = page.getByRole('button', { name: 'Re-read from Klarna' });
    await expect(reread).toHaveCount(can.has('dispute:respond') ? 1 : 0);
    await localScreenshot(page, `walk-${persona}-dispute.png`, { fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByRole('region', { name: 'Timeline' })).toBeVisible();
    await noSidewaysScroll(page, 390);
    await localScreenshot(page, `walk-${persona}-dispute-phone.png`, { fullPage: true });
  });
}
