import path from 'node:path';
import { expect, test } from '@playwright/test';
import { AppShellPage, SECTIONS } from '../pages/AppShellPage';
import { LoginPage } from '../pages/LoginPage';
import { NotFoundPage } from '../pages/NotFoundPage';

const screenshotPath = path.resolve(import.meta.dirname, '..', 'screenshots', 'shell.png');

test('the shell: navigation, 404, theme toggle', async ({ page }) => {
  // Anything the browser refuses (CSP) or the app throws fails the run.
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });

  const shell = new AppShellPage(page);
  // Signed in as acquirer-admin, who sees every section.
  await new LoginPage(page).loginAs('acquirer-admin', '/');
  await shell.goto('/');

  // The start page is Home.
  await expect(shell.heading).toHaveText('Home');
  await expect(page).toHaveURL(/\/home$/);

  // The footer shows the server's version from /api/v1/meta.
  await expect(shell.version).toHaveText(/^Partner Desk \S+ · (dev|production)$/);

  // Every navigation item opens its page.
  await expect(shell.nav.getByRole('link')).toHaveCount(SECTIONS.length);
  for (const section of SECTIONS) {
    await shell.open(section.label);
    await expect(page).toHaveURL(new RegExp(`${section.path}$`));
    await expect(shell.navLink(section.label)).toHaveAttribute('aria-current', 'page');
  }

  // A deep link the server does not know is answered by the SPA's 404 page.
  await shell.goto('/this/page/does-not-exist');
  const notFound = new NotFoundPage(page);
  await notFound.expectShownFor('/this/page/does-not-exist');
  await notFound.homeLink.click();
  await expect(shell.heading).toHaveText('Home');

  // The theme toggle switches the color scheme and the choice survives a reload.
  const chosen = await shell.toggleTheme();
  await page.reload();
  await expect(shell.nav).toBeVisible();
  expect(await shell.colorScheme()).toBe(chosen);
  const back = await shell.toggleTheme();
  expect(back).not.toBe(chosen);

  // Park the pointer so no tooltip covers the picture.
  await page.mouse.move(600, 500);
  await expect(page.getByRole('tooltip')).toHaveCount(0);
  await page.screenshot({ path: screenshotPath, fullPage: true });
  expect(problems).toEqual([]);
});
