import { expect, type Locator, type Page } from '@playwright/test';
import { PERSONAS, type PersonaId } from './personas';

/** The SPA's sign-in screen and the development IdP's persona picker. */
export class LoginPage {
  readonly heading: Locator;
  readonly signIn: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1 });
    this.signIn = page.getByRole('button', { name: /^Sign in( again)?$/ });
  }

  /** Logs in through the real redirect flow; the login_hint skips the IdP's picker. */
  async loginAs(persona: PersonaId, returnTo = '/') {
    await this.page.goto(`/auth/login?login_hint=${persona}&return_to=${encodeURIComponent(returnTo)}`);
    await expect(this.page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(this.page.getByRole('button', { name: `Account menu for ${PERSONAS[persona].name}` })).toBeVisible();
  }

  /** On the IdP's picker: sign in as the persona by clicking its button. */
  async pickPersona(persona: PersonaId) {
    await expect(this.page.getByRole('heading', { name: 'Sign in as…' })).toBeVisible();
    await this.page.getByRole('button', { name: `Sign in as ${PERSONAS[persona].name}` }).click();
  }
}
