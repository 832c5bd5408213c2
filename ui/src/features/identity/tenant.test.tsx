import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { browser } from '@/lib/browser';
import { ACQUIRER_ID, AURORA_ID, BOREALIS_ID, personas, tenantUsers } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi } from '@/test/render';

const usersOf = {
  [`GET /tenants/${ACQUIRER_ID}/users`]: () => jsonResponse(tenantUsers('Northwind Payments')),
  [`GET /tenants/${AURORA_ID}/users`]: () => jsonResponse(tenantUsers('Aurora Outfitters')),
  [`GET /tenants/${BOREALIS_ID}/users`]: () => jsonResponse(tenantUsers('Borealis Bikes')),
  'POST /auth/logout': () => jsonResponse({ redirect: 'http://idp.test/end-session' }),
};

const adminKey = `pd.tenant.${personas.acquirerAdmin.user.id}`;

async function pick(name: string) {
  const user = userEvent.setup();
  await user.click(await screen.findByRole('combobox', { name: 'Tenant' }));
  await user.click(await screen.findByRole('option', { name }));
}

describe('tenant switcher', () => {
  it('searches the server for partners instead of listing every one from /me', async () => {
    const { sent } = stubApi({ me: personas.acquirerAdmin, handlers: usersOf });
    const user = userEvent.setup();
    renderApp('/settings/users');
    await screen.findByRole('table', { name: 'Users of Northwind Payments' });

    await user.click(screen.getByRole('combobox', { name: 'Tenant' }));
    await user.clear(screen.getByRole('combobox', { name: 'Tenant' }));
    await user.type(screen.getByRole('combobox', { name: 'Tenant' }), 'bor');
    await waitFor(() => expect(sent.some((r) => r.url === '/api/v1/tenants?q=bor&limit=20')).toBe(true));
    await waitFor(() => expect(screen.queryByRole('option', { name: 'Aurora Outfitters' })).not.toBeInTheDocument());
    await user.click(await screen.findByRole('option', { name: 'Borealis Bikes' }));
    expect(await screen.findByRole('table', { name: 'Users of Borealis Bikes' })).toBeInTheDocument();
  });

  it('opens a partner named in the address by looking it up, with the acquirer roles’ actions', async () => {
    const { sent } = stubApi({ me: personas.acquirerAdmin, handlers: usersOf });
    renderApp('/settings/users?tenant=borealis');
    expect(await screen.findByRole('table', { name: 'Users of Borealis Bikes' })).toBeInTheDocument();
    expect(sent.some((r) => r.url === '/api/v1/tenants?q=borealis&limit=20')).toBe(true);
    expect(screen.getByRole('button', { name: /invite/i })).toBeInTheDocument();
  });

  it('does not keep the tenant picked before signing out for the next sign-in', async () => {
    const assign = vi.spyOn(browser, 'assign').mockImplementation(() => {});
    stubApi({ me: personas.acquirerAdmin, handlers: usersOf });
    const user = userEvent.setup();
    renderApp('/settings/users');
    await pick('Borealis Bikes');
    await screen.findByRole('table', { name: 'Users of Borealis Bikes' });
    expect(localStorage.getItem(adminKey)).toBe(BOREALIS_ID);

    await user.click(screen.getByRole('button', { name: 'Account menu for Ada Admin' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Sign out' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('http://idp.test/end-session'));
    expect(localStorage.getItem(adminKey)).toBeNull();

    // Signing in again starts from the first tenant, not Borealis.
    cleanup();
    stubApi({ me: personas.acquirerAdmin, handlers: usersOf });
    renderApp('/settings/users');
    expect(await screen.findByRole('table', { name: 'Users of Northwind Payments' })).toBeInTheDocument();
  });

  it('reopens a remembered partner reached through acquirer roles', async () => {
    localStorage.setItem(adminKey, AURORA_ID);
    stubApi({ me: personas.acquirerAdmin, handlers: usersOf });
    renderApp('/settings/users');
    expect(await screen.findByRole('table', { name: 'Users of Aurora Outfitters' })).toBeInTheDocument();
    expect(localStorage.getItem(adminKey)).toBe(AURORA_ID);
  });

  it('drops a remembered choice that is none of the user’s tenants', async () => {
    const key = `pd.tenant.${personas.merchantAdmin.user.id}`;
    localStorage.setItem(key, BOREALIS_ID);
    const { sent } = stubApi({ me: personas.merchantAdmin, handlers: usersOf });
    renderApp('/settings/users');
    expect(await screen.findByRole('table', { name: 'Users of Aurora Outfitters' })).toBeInTheDocument();
    await waitFor(() => expect(localStorage.getItem(key)).toBeNull());
    expect(sent.some((r) => r.url.includes(BOREALIS_ID))).toBe(false);
  });
});
