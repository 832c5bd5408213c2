import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { browser } from '@/lib/browser';
import { personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi } from '@/test/render';

function spyNavigation() {
  return vi.spyOn(browser, 'assign').mockImplementation(() => {});
}

describe('login flow', () => {
  it('shows the sign-in screen when /me answers 401, and Sign in goes to /auth/login with the path to return to', async () => {
    const assign = spyNavigation();
    stubApi({ me: () => problemResponse(401, 'unauthenticated', 'Sign in first.') });
    const user = userEvent.setup();
    const { router } = renderApp('/settings/users?tenant=aurora');

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to Partner Desk' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    expect(screen.queryByRole('navigation', { name: 'Main' })).not.toBeInTheDocument();
    // Never off to the IdP by itself: only the button goes there.
    expect(assign).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(assign).toHaveBeenCalledExactlyOnceWith('/auth/login?return_to=%2Fsettings%2Fusers%3Ftenant%3Daurora');
  });

  it.each([
    ['access_denied', 'Sign-in was cancelled or refused at the identity provider.'],
    ['disabled', 'Your account is disabled. Ask an administrator to enable it.'],
    ['state_mismatch', 'This sign-in expired or was started in another browser. Start it again here.'],
    ['rate_limited', 'Too many sign-in attempts from your address. Wait a minute and try again.'],
    ['no_email', 'The identity provider did not share your e-mail address, which Partner Desk needs: ask your administrator to release the email claim.'],
    ['login_failed', 'Sign-in failed. Try again; if it keeps failing, ask your administrator.'],
  ])('explains the callback error code %j with a fixed sentence', async (code, text) => {
    stubApi();
    renderApp(`/login?error=${encodeURIComponent(code)}`);
    expect(await screen.findByRole('alert')).toHaveTextContent(text);
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in to Partner Desk' })).toBeInTheDocument();
  });

  it.each([
    'Your account is locked. Call +1 555 0100 to unlock it.',
    'invalid_scope',
    'constructor',
    '__proto__',
  ])('never shows the text of an unknown ?error= (%j), only the generic sentence', async (text) => {
    stubApi();
    renderApp(`/login?error=${encodeURIComponent(text)}`);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Sign-in failed. Try again; if it keeps failing, ask your administrator.');
    expect(alert).not.toHaveTextContent(text);
    expect(document.body).not.toHaveTextContent(text);
  });

  it('never sends the login back to the login screen itself', async () => {
    const assign = spyNavigation();
    stubApi();
    const user = userEvent.setup();
    renderApp('/login?return_to=%2Flogin%3Freturn_to%3D%252F');
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(assign).toHaveBeenCalledWith('/auth/login?return_to=%2F');
  });

  it('switches to "session expired" when a request answers 401 after login, keeping the path', async () => {
    const assign = spyNavigation();
    stubApi({ handlers: { 'GET /tokens': () => problemResponse(401, 'unauthenticated', 'Your session has ended.') } });
    const user = userEvent.setup();
    const { router } = renderApp('/settings/tokens');

    expect(await screen.findByRole('heading', { level: 1, name: 'Your session has expired' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    expect(new URLSearchParams(router.state.location.search).get('return_to')).toBe('/settings/tokens');
    await user.click(screen.getByRole('button', { name: 'Sign in again' }));
    expect(assign).toHaveBeenCalledExactlyOnceWith('/auth/login?return_to=%2Fsettings%2Ftokens');
  });

  it('signs out with the CSRF token from /me and follows the server’s redirect', async () => {
    const assign = spyNavigation();
    document.cookie = 'pd_csrf=stale-cookie-token; path=/';
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: { 'POST /auth/logout': () => jsonResponse({ redirect: 'http://idp.test/end-session?x=1' }) },
    });
    const user = userEvent.setup();
    renderApp('/partners');

    await user.click(await screen.findByRole('button', { name: 'Account menu for Mia Merchant' }));
    expect(await screen.findByText('mia@aurora.test')).toBeInTheDocument();
    await user.click(await screen.findByRole('menuitem', { name: 'Sign out' }));

    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('http://idp.test/end-session?x=1'));
    const logout = sent.find((r) => r.url === '/auth/logout');
    expect(logout?.method).toBe('POST');
    expect(logout?.headers.get('X-CSRF-Token')).toBe('csrf-from-me');
  });

  it('shows a merchant its one tenant by name instead of a switcher', async () => {
    stubApi({ me: personas.merchantAdmin });
    renderApp('/partners');
    expect(await screen.findByLabelText('Tenant')).toHaveTextContent('Aurora Outfitters');
    expect(screen.queryByRole('combobox', { name: 'Tenant' })).not.toBeInTheDocument();
  });
});
