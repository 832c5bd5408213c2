import { expect, test } from '@playwright/test';
import { AppShellPage } from '../pages/AppShellPage';
import { LoginPage } from '../pages/LoginPage';
import { PERSONAS, type PersonaId } from '../pages/personas';

// Phones from 360 px up: the header must keep the theme switch and the
// account menu on screen (Sign out reachable), the navigation sits behind a
// burger, and no page scrolls sideways.
for (const [width, height] of [
  [360, 740],
  [390, 844],
] as const) {
  for (const persona of ['acquirer-admin', 'merchant-admin'] as PersonaId[]) {
    test(`at ${width}×${height}, ${persona} reaches the account menu, Sign out and the navigation`, async ({ page }) => {
      await new LoginPage(page).loginAs(persona, '/');
      await page.setViewportSize({ width, height });
      const shell = new AppShellPage(page);
      await expect(shell.heading).toBeVisible();

      const account = page.getByRole('button', { name: `Account menu for ${PERSONAS[persona].name}` });
      for (const control of [account, shell.themeToggle]) {
        await expect(control).toBeInViewport({ ratio: 1 });
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth), 'page scrolls sideways').toBeLessThanOrEqual(width);

      // The navigation opens from the burger and goes to a section.
      const burger = page.getByRole('button', { name: 'Toggle navigation' });
      await burger.click();
      await expect(shell.navLink('Settings')).toBeInViewport();
      await shell.navLink('Settings').click();
      await expect(shell.heading).toHaveText('Settings');
      await expect(shell.navLink('Settings')).not.toBeInViewport();

      await account.click();
      await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
      await page.screenshot({ path: `screenshots/phone-${width}-${persona}.png` });
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to Partner Desk');
    });
  }
}
