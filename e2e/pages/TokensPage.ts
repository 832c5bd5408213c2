import { expect, type Locator, type Page } from '@playwright/test';

/** The user's own API tokens. */
export class TokensPage {
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Your API tokens' });
  }

  row(name: string): Locator {
    return this.page.locator(`tr[data-token="${name}"]`);
  }

  /** Creates a token and returns the secret the one-time modal shows. */
  async create(name: string, roles: string[], tenant?: string): Promise<string> {
    await this.page.getByRole('button', { name: 'Create token' }).click();
    const form = this.page.getByRole('dialog', { name: 'Create an API token' });
    if (tenant) {
      await form.getByRole('combobox', { name: /^Tenant/ }).click();
      await this.page.getByRole('option', { name: tenant }).click();
    }
    await form.getByRole('textbox', { name: /^Name/ }).fill(name);
    for (const role of roles) {
      await form.getByRole('combobox', { name: /^Roles/ }).click();
      await this.page.getByRole('option', { name: role, exact: true }).click();
    }
    // The role list stays open after a pick; clicking the dialog's title closes it, as a person would.
    await form.getByRole('heading').click();
    await expect(this.page.getByRole('listbox')).toBeHidden();
    await form.getByRole('button', { name: 'Create token' }).click();
    const shown = this.page.getByRole('dialog', { name: `API token “${name}” created` });
    await expect(shown.getByText(/You won’t see this again/)).toBeVisible();
    const secret = (await shown.getByLabel('Token secret').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(16);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await expect(shown).toBeHidden();
    return secret;
  }

  async revoke(name: string) {
    await this.page.getByRole('button', { name: `Revoke ${name}` }).click();
    await this.page.getByRole('dialog', { name: `Revoke “${name}”?` }).getByRole('button', { name: 'Revoke token' }).click();
    await expect(this.row(name).getByText('revoked')).toBeVisible();
  }
}
