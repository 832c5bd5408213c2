import { expect, type Locator, type Page } from '@playwright/test';

export class NotFoundPage {
  readonly heading: Locator;
  readonly homeLink: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Page not found' });
    this.homeLink = page.getByRole('link', { name: 'Go to the start page' });
  }

  async expectShownFor(path: string) {
    await expect(this.heading).toBeVisible();
    await expect(this.page.getByText(path, { exact: true })).toBeVisible();
  }
}
