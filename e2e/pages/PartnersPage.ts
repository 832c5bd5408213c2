import { expect, type Locator, type Page } from '@playwright/test';

/** The partner directory (/partners), one partner's page and the onboarding board. */
export class PartnersPage {
  readonly table: Locator;
  readonly filters: Locator;
  readonly tree: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Partners' });
    this.filters = page.getByRole('form', { name: 'Partner filters' });
    this.tree = page.getByRole('region', { name: 'Account hierarchy' });
  }

  rows(): Locator {
    return this.table.locator('tbody tr');
  }

  row(slug: string): Locator {
    return this.table.locator(`tbody tr[data-partner="${slug}"]`);
  }

  /** Searches the directory (name, reference, any Klarna id, e-mail). */
  async search(text: string) {
    await this.filters.getByRole('searchbox', { name: 'Search' }).fill(text);
    await this.filters.getByRole('button', { name: 'Apply filters' }).click();
    await expect(this.page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(text).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  }

  /** A node of the partner's tree, e.g. node('Store', 'https://…'). */
  node(kind: string, title: string): Locator {
    return this.tree.getByRole('region', { name: `${kind} ${title}` });
  }

  board(stage: string): Locator {
    return this.page.getByRole('region', { name: stage, exact: true });
  }
}
