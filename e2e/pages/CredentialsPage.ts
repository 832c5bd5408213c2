import { expect, type Locator, type Page } from '@playwright/test';

/** A partner's Credentials tab (its Klarna API keys, client identifiers and certificates). */
export class CredentialsTab {
  readonly apiKeys: Locator;

  constructor(readonly page: Page) {
    this.apiKeys = page.getByRole('table', { name: 'API keys' });
  }

  /** A merchant's own partner page, on the Credentials tab. */
  async openOwn() {
    await this.page.goto('/overview?tab=credentials');
    await expect(this.page.getByRole('heading', { name: 'API keys' })).toBeVisible();
  }

  keyRow(description: string): Locator {
    return this.apiKeys.locator(`tr[data-credential="${description}"]`);
  }

  /** Creates an API key; returns the one-time dialog (still open) and the secret it shows. */
  async createKey(description: string): Promise<{ dialog: Locator; secret: string }> {
    const form = this.page.getByRole('form', { name: 'Create an API key' });
    await form.getByRole('textbox', { name: /New API key/ }).fill(description);
    await form.getByRole('button', { name: 'Create API key' }).click();
    const dialog = this.page.getByRole('dialog', { name: `API key “${description}” created` });
    await expect(dialog.getByText(/You won’t see it again/)).toBeVisible();
    const secret = (await dialog.getByLabel('API key secret').textContent())?.trim() ?? '';
    return { dialog, secret };
  }
}
