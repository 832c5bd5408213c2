import { expect, test, type Page } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { TokensPage } from '../pages/TokensPage';
import { UsersPage } from '../pages/UsersPage';
import { STEP_UP_MAX_AGE_SECONDS } from '../pages/servers';

// Runs against the second server (project chromium-step-up), whose logins are
// "recent" for STEP_UP_MAX_AGE_SECONDS only.

/** Waits until the current login is too old for sensitive actions. */
async function letLoginAge(page: Page) {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { auth_time: string; step_up_max_age_seconds: number };
  expect(me.step_up_max_age_seconds).toBe(STEP_UP_MAX_AGE_SECONDS);
  const due = Date.parse(me.auth_time) + (STEP_UP_MAX_AGE_SECONDS + 2) * 1000;
  // Time itself is what is being tested here; nothing else to wait for.
  await page.waitForTimeout(Math.max(0, due - Date.now()));
}

/** Counts the answers to one API route, by status. */
function answers(page: Page, method: string, pathRe: RegExp) {
  const seen: number[] = [];
  page.on('response', (res) => {
    if (res.request().method() === method && pathRe.test(new URL(res.url()).pathname)) seen.push(res.status());
  });
  return seen;
}

test('an invitation that needs a fresh login is finished after it, once', async ({ page }) => {
  await new LoginPage(page).loginAs('acquirer-admin', '/settings/users?tenant=aurora');
  const posts = answers(page, 'POST', /\/api\/v1\/tenants\/[^/]+\/invitations$/);
  await letLoginAge(page);

  await new UsersPage(page).invite('late@aurora.example', ['merchant-disputes']);
  // The app went to the IdP (step_up=1, login_hint) and came back with resume=1, then ran the invitation again.
  await expect(page.getByRole('status').filter({ hasText: 'Done: Invite late@aurora.example.' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Open invitations' })).toContainText('late@aurora.example');
  await expect(page).toHaveURL(/\/settings\/users\?tenant=aurora$/);
  expect(posts).toEqual([401, 201]);

  // Reloading the address it came back to does not invite again.
  await page.reload();
  await expect(page.getByRole('table', { name: 'Open invitations' })).toContainText('late@aurora.example');
  expect(posts).toEqual([401, 201]);
});

test('a token created after a fresh login still shows its secret once', async ({ page }) => {
  await new LoginPage(page).loginAs('merchant-admin', '/settings/tokens');
  const posts = answers(page, 'POST', /\/api\/v1\/tokens$/);
  await letLoginAge(page);

  const secret = await new TokensPage(page).create('after step-up', ['merchant-admin']);
  expect(posts).toEqual([401, 201]);
  const res = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(res.status()).toBe(200);
});
