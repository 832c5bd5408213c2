import { expect, type Locator, type Page } from '@playwright/test';

/** Users & roles of the selected tenant. */
export class UsersPage {
  readonly tenantSwitcher: Locator;

  constructor(readonly page: Page) {
    this.tenantSwitcher = page.getByRole('combobox', { name: 'Tenant' });
  }

  table(tenantName: string): Locator {
    return this.page.getByRole('table', { name: `Users of ${tenantName}` });
  }

  row(email: string): Locator {
    return this.page.locator(`tr[data-user="${email}"]`);
  }

  async switchTenant(name: string) {
    await this.tenantSwitcher.click();
    await this.page.getByRole('option', { name }).click();
    await expect(this.tenantSwitcher).toHaveValue(name);
  }

  async invite(email: string, roles: string[]) {
    await this.page.getByRole('button', { name: 'Invite user' }).click();
    const dialog = this.page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Email' }).fill(email);
    for (const role of roles) {
      await dialog.getByRole('combobox', { name: 'Roles' }).click();
      await this.page.getByRole('option', { name: role, exact: true }).click();
    }
    // The role list stays open after a pick; clicking the dialog's title closes it, as a person would.
    await dialog.getByRole('heading').click();
    await expect(this.page.getByRole('listbox')).toBeHidden();
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await expect(dialog).toBeHidden();
  }

  async grant(email: string, role: string) {
    await this.page.getByRole('button', { name: `Grant a role to ${email}` }).click();
    const dialog = this.page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'Role' }).click();
    await this.page.getByRole('option', { name: role, exact: true }).click();
    await dialog.getByRole('button', { name: 'Grant role' }).click();
    await expect(dialog).toBeHidden();
  }
}
