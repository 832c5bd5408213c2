import { expect, type Locator, type Page } from '@playwright/test';

/** A partner page's "Payment product" tab: status, disable/enable with a reason, payment accounts, history. */
export class PaymentProductPage {
  readonly product: Locator;
  readonly history: Locator;

  constructor(readonly page: Page) {
    this.product = page.getByRole('region', { name: 'Payment product' });
    this.history = page.getByRole('table', { name: 'Payment product history' });
  }

  async open(tenantId: string) {
    await this.page.goto(`/partners/${tenantId}?tab=products`);
    await expect(this.product).toBeVisible();
  }

  status(): Locator {
    return this.product.getByLabel(/^Payment product status:/);
  }

  /** Opens the dialog, gives the reason and confirms. */
  async disable(reason: string) {
    await this.product.getByRole('button', { name: 'Disable payment product' }).click();
    const dialog = this.page.getByRole('dialog', { name: /^Disable the payment product of / });
    await expect(dialog).toContainText('up to 10 minutes');
    await dialog.getByRole('textbox', { name: /Reason/ }).fill(reason);
    await dialog.getByRole('button', { name: 'Disable payment product' }).click();
  }
}
