import { expect, test, type Page } from '@playwright/test';
import { AppShellPage } from '../pages/AppShellPage';
import { LoginPage } from '../pages/LoginPage';
import { expectedNav, PERSONAS, START, type PersonaId } from '../pages/personas';
import { saveScreenshot } from '../pages/screenshots';
import { TokensPage } from '../pages/TokensPage';
import { UsersPage } from '../pages/UsersPage';

// One server for the file: later tests rely on users that earlier logins created.
test.describe.configure({ mode: 'serial' });

/** Fails the test on page errors and console errors (CSP violations included); `allow` lists expected ones. */
function watchProblems(page: Page, allow: RegExp[] = []) {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allow.some((re) => re.test(msg.text()))) problems.push(`console error: ${msg.text()}`);
  });
  return problems;
}

/** The tenants the signed-in user can see, by slug (the directory the tenant switcher searches). */
async function tenantIds(page: Page): Promise<Record<string, string>> {
  const res = await page.request.get('/api/v1/tenants?limit=100');
  expect(res.status()).toBe(200);
  const page1 = (await res.json()) as { items: { id: string; slug: string }[] };
  return Object.fromEntries(page1.items.map((t) => [t.slug, t.id]));
}

let borealisId = '';

test('sign-in screen, the persona picker and sign-out', async ({ page }) => {
  // The first /me answers 401 before the login: that one is expected.
  const problems = watchProblems(page, [/status of 401/]);
  await page.goto('/settings');
  const login = new LoginPage(page);
  await expect(login.heading).toHaveText('Sign in to Partner Desk');
  await expect(page).toHaveURL(/\/login\?return_to=%2Fsettings$/);

  await login.signIn.click();
  await login.pickPersona('merchant-finance');
  await expect(page).toHaveURL(/\/settings$/);
  const shell = new AppShellPage(page);
  await expect(shell.heading).toHaveText('Settings');
  expect(await shell.navPaths()).toEqual(expectedNav('merchant-finance'));

  await shell.signOut(PERSONAS['merchant-finance'].name);
  await expect(login.heading).toHaveText('Sign in to Partner Desk');
  expect((await page.request.get('/api/v1/me')).status()).toBe(401);
  expect(problems).toEqual([]);
});

test('an ended session shows "session expired" and signing in again returns to the page', async ({ page, context }) => {
  const problems = watchProblems(page, [/status of 401/]);
  const inFlight = new Set<string>();
  page.on('request', (r) => { if (r.url().includes('/api/')) inFlight.add(r.url()); });
  const done = (r: { url(): string }) => inFlight.delete(r.url());
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  await new LoginPage(page).loginAs('merchant-disputes', '/disputes');
  // The session ends while the user reads a loaded page: the queue is shown and nothing is still loading
  // (a request still on its way would come back 401 and end the session on this page instead).
  await expect(page.getByRole('table', { name: 'Disputes' }).locator('tbody tr[data-dispute]').first()).toBeVisible();
  await expect.poll(() => [...inFlight]).toEqual([]);
  // The server forgets the browser: its session cookie is gone.
  await context.clearCookies({ name: 'pd_session' });
  const shell = new AppShellPage(page);
  await shell.navLink('API tokens').click();

  const login = new LoginPage(page);
  await expect(login.heading).toHaveText('Your session has expired');
  await expect(page).toHaveURL(/\/login\?reason=expired&return_to=%2Fsettings%2Ftokens$/);
  // The IdP still knows the browser, so signing in again needs no picker.
  await login.signIn.click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(shell.heading).toHaveText('API tokens');
  expect(problems).toEqual([]);
});

test('a failed sign-in comes back with a readable error', async ({ page }) => {
  await page.goto('/login?error=access_denied');
  await expect(page.getByRole('alert')).toHaveText(/Sign-in was cancelled or refused at the identity provider\./);
});

test('every persona sees exactly the navigation its role allows', async ({ browser }) => {
  // Hand-checked anchors, so the policy-derived expectations cannot both be wrong the same way.
  expect(expectedNav('merchant-disputes')).toEqual(['/home', '/overview', '/disputes', '/payments', '/settings/tokens', '/settings']);
  expect(expectedNav('auditor')).toEqual(['/home', '/partners', '/disputes', '/payments', '/settlements', '/credentials', '/webhooks', '/audit', '/settings/users', '/settings']);

  for (const persona of Object.keys(PERSONAS) as PersonaId[]) {
    await test.step(persona, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems = watchProblems(page);
      await new LoginPage(page).loginAs(persona, '/');
      const shell = new AppShellPage(page);
      expect(await shell.navPaths(), `navigation of ${persona}`).toEqual(expectedNav(persona));
      // Everyone starts at Home.
      await expect(page).toHaveURL(new RegExp(`${START}$`));
      // A merchant has one tenant and no switcher; acquirer roles can switch.
      const switcher = page.getByRole('banner').getByRole('combobox', { name: 'Tenant' });
      if (persona.startsWith('merchant')) await expect(switcher).toHaveCount(0);
      else await expect(switcher).toBeVisible();
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});

test('acquirer-admin: the tenant switcher changes whose users are shown', async ({ page }) => {
  const problems = watchProblems(page);
  await new LoginPage(page).loginAs('acquirer-admin', '/settings/users');
  borealisId = (await tenantIds(page)).borealis ?? '';
  expect(borealisId).not.toBe('');
  const users = new UsersPage(page);

  await users.switchTenant('Aurora Outfitters');
  await expect(users.table('Aurora Outfitters')).toBeVisible();
  await expect(users.row(PERSONAS['merchant-admin'].email)).toBeVisible();
  await expect(users.row(PERSONAS['merchant-admin-b'].email)).toHaveCount(0);

  await users.switchTenant('Borealis Bikes');
  await expect(users.table('Borealis Bikes')).toBeVisible();
  await expect(users.row(PERSONAS['merchant-admin-b'].email)).toBeVisible();
  await expect(users.row(PERSONAS['merchant-admin'].email)).toHaveCount(0);

  // The choice survives a reload.
  await page.reload();
  await expect(users.table('Borealis Bikes')).toBeVisible();
  expect(problems).toEqual([]);
});

test('a merchant cannot reach partner B', async ({ page }) => {
  expect(borealisId, 'set by the tenant switcher test').not.toBe('');
  await new LoginPage(page).loginAs('merchant-admin', '/');
  // The API answers 404, not 403: partner B's existence is not revealed.
  expect((await page.request.get(`/api/v1/tenants/${borealisId}/users`)).status()).toBe(404);
  for (const ref of ['borealis', borealisId]) {
    await page.goto(`/settings/users?tenant=${ref}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not found');
    await expect(page.getByText('There is no such tenant')).toBeVisible();
  }
  // Without the foreign tenant the page shows the merchant's own users.
  await page.goto('/settings/users');
  await expect(new UsersPage(page).table('Aurora Outfitters')).toBeVisible();
});

test('acquirer-admin invites a user and grants a role', async ({ page }) => {
  const problems = watchProblems(page);
  await new LoginPage(page).loginAs('acquirer-admin', '/settings/users?tenant=aurora');
  const users = new UsersPage(page);
  await expect(users.table('Aurora Outfitters')).toBeVisible();

  await users.invite('new.disputes@aurora.example', ['merchant-disputes']);
  const invitations = page.getByRole('table', { name: 'Open invitations' });
  await expect(invitations.getByRole('row', { name: /new\.disputes@aurora\.example/ })).toContainText('merchant-disputes');

  const maja = PERSONAS['merchant-admin'].email;
  await users.grant(maja, 'merchant-finance');
  await expect(users.row(maja).getByText('merchant-finance')).toBeVisible();
  await expect(users.row(maja).getByText('· granted')).toBeVisible();

  // Clear the success notifications and any tooltip off the picture.
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await page.mouse.move(0, 0);
  await expect(page.getByRole('tooltip')).toHaveCount(0);
  await saveScreenshot(page, 'users.png', { fullPage: true });
  expect(problems).toEqual([]);
});

test('create an API token, use it, revoke it', async ({ page }) => {
  const problems = watchProblems(page);
  await new LoginPage(page).loginAs('merchant-admin', '/settings/tokens');
  const tokens = new TokensPage(page);
  const secret = await tokens.create('e2e export', ['merchant-admin']);
  await expect(tokens.row('e2e export')).toContainText('Aurora Outfitters');
  await expect(tokens.row('e2e export')).toContainText('active');
  // The secret is gone from the page once the dialog is closed.
  await expect(page.getByText(secret)).toHaveCount(0);

  const asToken = { headers: { Authorization: `Bearer ${secret}` } };
  const before = await page.request.get('/api/v1/me', asToken);
  expect(before.status()).toBe(200);
  expect(((await before.json()) as { via_token: boolean }).via_token).toBe(true);

  await tokens.revoke('e2e export');
  expect((await page.request.get('/api/v1/me', asToken)).status()).toBe(401);
  expect(problems).toEqual([]);
});

test('the audit page shows the logins, filters them and shows an event’s changes', async ({ page }) => {
  const problems = watchProblems(page);
  await new LoginPage(page).loginAs('acquirer-admin', '/audit');
  const table = page.getByRole('table', { name: 'Audit events' });
  await expect(table).toBeVisible();

  await page.getByRole('textbox', { name: 'Action' }).fill('session:');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const logins = table.getByRole('row', { name: /session:login by/ });
  await expect(logins.first()).toBeVisible();
  for (const persona of ['acquirer-admin', 'merchant-admin', 'merchant-admin-b', 'auditor'] as const) {
    await expect(table.getByRole('row', { name: new RegExp(`session:login by ${PERSONAS[persona].email.replace('.', '\\.')}`) }).first()).toBeVisible();
  }
  await expect(table.getByRole('row', { name: /user:grant_role by/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', '/api/v1/audit/export.csv?action=session%3A');

  // The viewport only: the layout's footer is fixed, so a full-page picture would cut through the table.
  await page.setViewportSize({ width: 1280, height: 900 });
  await saveScreenshot(page, 'audit.png');

  await logins.first().click();
  const drawer = page.getByRole('dialog', { name: 'Audit event' });
  await expect(drawer.getByLabel('Changes (JSON)')).toContainText('"auth_time"');
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  const csv = await page.request.get('/api/v1/audit/export.csv?action=session%3A');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain('session:login');
  expect(problems).toEqual([]);
});
