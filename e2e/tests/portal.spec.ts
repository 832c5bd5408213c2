import { expect, test } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { PERSONAS } from '../pages/personas';
import { KlarnaPortalPage, openPortalButton } from '../pages/PortalPage';

const simulator = `127.0.0.1:${Number(process.env.E2E_PORT ?? 18080) + 4}`;

test('a merchant admin opens the Klarna Portal by deep link; the link works once', async ({ page }) => {
  // The first read of Aurora's account from the simulator may still be under way.
  test.setTimeout(120_000);
  await new LoginPage(page).loginAs('merchant-admin', '/overview');
  const open = openPortalButton(page);
  await expect(open).toBeEnabled({ timeout: 60_000 });
  await open.click();

  await page.waitForURL((u) => u.host === simulator && u.pathname.startsWith('/portal/deep-link/'));
  const portal = new KlarnaPortalPage(page);
  await expect(portal.heading).toBeVisible();
  await expect(portal.partner).toContainText('Aurora Outfitters');
  await expect(portal.partner).toContainText('krn:partner:global:account:');
  await expect(portal.user).toHaveText(PERSONAS['merchant-admin'].email);
  await expect(portal.roles).toHaveText('merchant:admin');
  await expect(portal.amr).toContainText('pwd');

  // Single-use: the same link again says it was used.
  await page.reload();
  await expect(portal.message).toHaveText('This link was already used.');

  // "Continue with <acquirer>" from Klarna's login page: straight through a fresh link.
  await page.goto('/portal/continue');
  await page.waitForURL((u) => u.host === simulator && u.pathname.startsWith('/portal/deep-link/'));
  await expect(portal.user).toHaveText(PERSONAS['merchant-admin'].email);
});
