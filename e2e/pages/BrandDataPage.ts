import { expect, type Locator, type Page } from '@playwright/test';

/** A partner page's "Brand data" tab (/partners/:tenant?tab=brand): brands, store groups and stores with their forms. */
export class BrandDataPage {
  constructor(readonly page: Page) {}

  async open(tenantId: string) {
    await this.page.goto(`/partners/${tenantId}?tab=brand`);
    await expect(this.page.getByRole('tab', { name: 'Brand data', selected: true })).toBeVisible();
  }

  /** A store's card, found by its Klarna id (its title is its URL, which an edit changes). */
  store(klarnaId: string): Locator {
    return this.page.getByRole('region', { name: /^Store (?!group )/ }).filter({ hasText: klarnaId });
  }

  /** The store's form, opened with "Edit store" unless a refused change opened it already. */
  async editStore(card: Locator): Promise<Locator> {
    const form = card.getByRole('form');
    if (!(await form.isVisible())) await card.getByRole('button', { name: 'Edit store' }).click();
    await expect(form).toBeVisible();
    return form;
  }

  /** The status badge of the resource's latest change (Pending, Applied, Failed). */
  latestChange(card: Locator): Locator {
    return card.getByRole('group', { name: /^Latest change of / }).first();
  }
}
