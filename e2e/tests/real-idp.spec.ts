import { expect, test } from '@playwright/test';
import { AppShellPage } from '../pages/AppShellPage';
import { LoginPage } from '../pages/LoginPage';

// Runs against `partnerdesk serve` on an external PostgreSQL cluster (project
// chromium-real-idp), whose IdP is npm's oidc-provider (idp/real-idp.mjs), an
// OpenID Certified provider that puts only `sub` in the ID token and releases
// e-mail, name and groups at its UserInfo endpoint. serve maps the group
// pd-admins to acquirer-admin on the acquirer tenant.

/** The provider's one account (idp/real-idp.mjs). */
const ACCOUNT = { login: 'pd-admin-1', email: 'ada.admin@idp.example', name: 'Ada Admin' };

type Me = {
  user: { email: string; name: string };
  tenants: { kind: string; slug: string; roles: string[] }[];
};

test('a login at a real OpenID provider that releases its claims at UserInfo lands with the role its group maps to', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

  await page.goto('/');
  const login = new LoginPage(page);
  await login.signIn.click();

  // The provider's own login and consent forms (oidc-provider's interactions), on its origin.
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${process.env.E2E_REAL_IDP_PORT}/interaction/`));
  await page.locator('input[name="login"]').fill(ACCOUNT.login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();

  // Back in Partner Desk, signed in with the name from UserInfo, on the acquirer's start page.
  const shell = new AppShellPage(page);
  await expect(page.getByRole('button', { name: `Account menu for ${ACCOUNT.name}` })).toBeVisible();
  await expect(shell.heading).toHaveText('Home');
  await expect(page).toHaveURL(/\/home$/);

  const res = await page.request.get('/api/v1/me');
  expect(res.status()).toBe(200);
  const me = (await res.json()) as Me;
  expect(me.user).toMatchObject({ email: ACCOUNT.email, name: ACCOUNT.name });
  expect(me.tenants.map((t) => ({ kind: t.kind, slug: t.slug, roles: t.roles }))).toEqual([
    { kind: 'acquirer', slug: 'acquirer', roles: ['acquirer-admin'] },
  ]);
  expect(problems).toEqual([]);
});
