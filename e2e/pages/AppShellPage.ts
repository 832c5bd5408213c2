import { expect, type Locator, type Page } from '@playwright/test';

/** The sections in the main navigation (as acquirer-admin sees them), in order, and the h1 each page shows. */
export const SECTIONS = [
  { label: 'Home', path: '/home' },
  { label: 'Partners', path: '/partners' },
  { label: 'Onboarding', path: '/onboarding' },
  { label: 'Disputes', path: '/disputes' },
  { label: 'Payments', path: '/payments' },
  { label: 'Settlements', path: '/settlements' },
  { label: 'Credentials', path: '/credentials' },
  { label: 'Webhooks', path: '/webhooks' },
  { label: 'Klarna calls', path: '/klarna-calls' },
  { label: 'Audit', path: '/audit' },
  { label: 'Users & roles', path: '/settings/users' },
  { label: 'API tokens', path: '/settings/tokens' },
  { label: 'Settings', path: '/settings' },
] as const;

export type ColorScheme = 'light' | 'dark';

/** The layout around every page: header, main navigation, footer. */
export class AppShellPage {
  readonly nav: Locator;
  readonly heading: Locator;
  readonly themeToggle: Locator;
  readonly version: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.heading = page.getByRole('heading', { level: 1 });
    this.themeToggle = page.getByRole('button', { name: /^Switch to (light|dark) theme$/ });
    this.version = page.getByTestId('version');
  }

  async goto(path = '/') {
    await this.page.goto(path);
    await expect(this.nav).toBeVisible();
  }

  navLink(label: string): Locator {
    return this.nav.getByRole('link', { name: new RegExp(`^${label}`) });
  }

  /** The paths of the navigation's links, top to bottom. */
  async navPaths(): Promise<string[]> {
    await expect(this.nav).toBeVisible();
    return this.nav.getByRole('link').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  }

  async signOut(name: string) {
    await this.page.getByRole('button', { name: `Account menu for ${name}` }).click();
    await this.page.getByRole('menuitem', { name: 'Sign out' }).click();
  }

  async open(label: string) {
    await this.navLink(label).click();
    await expect(this.heading).toHaveText(label);
  }

  async colorScheme(): Promise<ColorScheme> {
    const value = await this.page.locator('html').getAttribute('data-mantine-color-scheme');
    if (value !== 'light' && value !== 'dark') throw new Error(`unexpected color scheme "${value}"`);
    return value;
  }

  async toggleTheme(): Promise<ColorScheme> {
    const before = await this.colorScheme();
    await this.themeToggle.click();
    const after: ColorScheme = before === 'dark' ? 'light' : 'dark';
    await expect(this.page.locator('html')).toHaveAttribute('data-mantine-color-scheme', after);
    return after;
  }
}
