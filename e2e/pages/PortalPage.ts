import type { Locator, Page } from '@playwright/test';

/** The "Open in Klarna Portal" action on a partner's page or a merchant's Overview. */
export function openPortalButton(page: Page): Locator {
  return page.getByRole('button', { name: 'Open in Klarna Portal' });
}

/** The simulator's stand-in for the Klarna Partner Portal, where a deep link lands. */
export class KlarnaPortalPage {
  readonly heading: Locator;
  readonly partner: Locator;
  readonly user: Locator;
  readonly roles: Locator;
  readonly amr: Locator;
  readonly message: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Klarna Partner Portal (simulator)' });
    this.partner = page.locator('#partner');
    this.user = page.locator('#user');
    this.roles = page.locator('#roles');
    this.amr = page.locator('#amr');
    this.message = page.locator('#message');
  }
}
