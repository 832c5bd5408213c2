import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ACQUIRER_ID, AURORA_ID, BOREALIS_ID, personas, tenantUsers } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi } from '@/test/render';

const usersOf = {
  [`GET /tenants/${ACQUIRER_ID}/users`]: () => jsonResponse(tenantUsers('Northwind Payments')),
  [`GET /tenants/${AURORA_ID}/users`]: () => jsonResponse(tenantUsers('Aurora Outfitters')),
  [`GET /tenants/${BOREALIS_ID}/users`]: () => jsonResponse(tenantUsers('Borealis Bikes')),
};

describe('users & roles', () => {
  it('follows the tenant switcher: each tenant’s users come from its own query', async () => {
    const { sent } = stubApi({ me: personas.acquirerAdmin, handlers: usersOf });
    const user = userEvent.setup();
    renderApp('/settings/users');

    const table = await screen.findByRole('table', { name: 'Users of Northwind Payments' });
    expect(within(table).getByText('owner@northwind.test')).toBeInTheDocument();

    await user.click(screen.getByRole('combobox', { name: 'Tenant' }));
    await user.click(await screen.findByRole('option', { name: 'Aurora Outfitters' }));
    const aurora = await screen.findByRole('table', { name: 'Users of Aurora Outfitters' });
    expect(within(aurora).getByText('owner@aurora.test')).toBeInTheDocument();
    expect(screen.queryByText('owner@northwind.test')).not.toBeInTheDocument();

    await user.click(screen.getByRole('combobox', { name: 'Tenant' }));
    await user.click(await screen.findByRole('option', { name: 'Borealis Bikes' }));
    expect(await screen.findByRole('table', { name: 'Users of Borealis Bikes' })).toBeInTheDocument();

    expect(sent.filter((r) => r.url.endsWith('/users')).map((r) => r.url)).toEqual([
      `/api/v1/tenants/${ACQUIRER_ID}/users`,
      `/api/v1/tenants/${AURORA_ID}/users`,
      `/api/v1/tenants/${BOREALIS_ID}/users`,
    ]);
    // The choice is remembered for the next visit.
    expect(localStorage.getItem(`pd.tenant.${personas.acquirerAdmin.user.id}`)).toBe(BOREALIS_ID);
  });

  it('shows roles with their source, last login and status', async () => {
    stubApi({
      me: personas.merchantAdmin,
      handlers: {
        [`GET /tenants/${AURORA_ID}/users`]: () =>
          jsonResponse({
            users: [
              {
                id: 'u1',
                email: 'sam@aurora.test',
                name: 'Sam',
                disabled: true,
                last_login_at: null,
                roles: [
                  { role: 'merchant-disputes', source: 'invitation', granted_at: '2026-11-02T00:00:00Z' },
                  { role: 'merchant-finance', source: 'idp_group', granted_at: '2026-11-03T00:00:00Z' },
                ],
              },
            ],
            invitations: [{ id: 'i1', email: 'new@aurora.test', roles: ['merchant-admin'], created_at: '2026-11-20T00:00:00Z', expires_at: '2026-12-04T00:00:00Z' }],
          }),
      },
    });
    renderApp('/settings/users');
    const row = (await screen.findByText('sam@aurora.test')).closest('tr');
    if (!row) throw new Error('no row');
    expect(within(row).getByText('merchant-disputes')).toBeInTheDocument();
    expect(within(row).getByText('· invited')).toBeInTheDocument();
    expect(within(row).getByText('· IdP group')).toBeInTheDocument();
    expect(within(row).getByText('Never')).toBeInTheDocument();
    expect(within(row).getByText('Disabled')).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Enable sam@aurora.test' })).toBeInTheDocument();
    const invitations = screen.getByRole('table', { name: 'Open invitations' });
    expect(within(invitations).getByText('new@aurora.test')).toBeInTheDocument();
  });

  it('hides every mutation from a role that may read users but not manage them', async () => {
    stubApi({ me: personas.auditor, handlers: usersOf });
    renderApp('/settings/users');
    expect(await screen.findByRole('table', { name: 'Users of Northwind Payments' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Invite user' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Grant a role/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Disable / })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Revoke / })).not.toBeInTheDocument();
  });

  it('says "not found" for a tenant the user cannot see, without asking the API for its users', async () => {
    const { sent } = stubApi({ me: personas.merchantAdmin, handlers: usersOf });
    renderApp('/settings/users?tenant=borealis');
    expect(await screen.findByRole('heading', { level: 1, name: 'Not found' })).toBeInTheDocument();
    expect(screen.getByText('borealis')).toBeInTheDocument();
    expect(sent.some((r) => r.url.includes('/users'))).toBe(false);
  });

  it('puts the server’s field errors on the invitation form’s fields', async () => {
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: {
        ...usersOf,
        [`POST /tenants/${AURORA_ID}/invitations`]: () =>
          problemResponse(400, 'invalid', 'Check the invitation.', [
            { field: 'email', message: 'is already invited here' },
            { field: 'roles[0]', message: '"merchant-admin" cannot be held here' },
          ]),
      },
    });
    const user = userEvent.setup();
    renderApp('/settings/users');

    await user.click(await screen.findByRole('button', { name: 'Invite user' }));
    const dialog = await screen.findByRole('dialog', { name: 'Invite a user to Aurora Outfitters' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Email' }), 'ana@example.com');
    // Only roles that fit a partner tenant are offered.
    await user.click(within(dialog).getByRole('combobox', { name: 'Roles' }));
    const options = (await screen.findAllByRole('option')).map((o) => o.textContent);
    expect(options).toEqual(['merchant-admin', 'merchant-disputes', 'merchant-finance']);
    await user.click(screen.getByRole('option', { name: 'merchant-admin' }));
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));

    const email = within(dialog).getByRole('textbox', { name: 'Email' });
    await screen.findByText('is already invited here');
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveAccessibleDescription('is already invited here');
    expect(within(dialog).getByText('"merchant-admin" cannot be held here')).toBeInTheDocument();
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();

    const post = sent.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({ email: 'ana@example.com', roles: ['merchant-admin'] });
    expect(post?.headers.get('X-CSRF-Token')).toBe('csrf-from-me');
    expect(post?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('checks the invitation form on the client: every invalid field at once, nothing sent', async () => {
    const { sent } = stubApi({ me: personas.merchantAdmin, handlers: usersOf });
    const user = userEvent.setup();
    renderApp('/settings/users');
    await user.click(await screen.findByRole('button', { name: 'Invite user' }));
    const dialog = await screen.findByRole('dialog', { name: 'Invite a user to Aurora Outfitters' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Email' }), 'not-an-email');
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    expect(await within(dialog).findByText('Enter an email address such as name@example.com.')).toBeInTheDocument();
    expect(within(dialog).getByText('Choose at least one role.')).toBeInTheDocument();
    expect(within(dialog).getByRole('textbox', { name: 'Email' })).toHaveAttribute('aria-invalid', 'true');
    expect(sent.some((r) => r.method === 'POST')).toBe(false);
  });

  it('asks before revoking a role, then revokes it and reloads the list', async () => {
    let revoked = false;
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: {
        [`GET /tenants/${AURORA_ID}/users`]: () => {
          const body = tenantUsers('Aurora Outfitters');
          if (revoked) body.users[0]!.roles = [];
          return jsonResponse(body);
        },
        [`DELETE /tenants/${AURORA_ID}/users/u-aurora-1/roles/merchant-admin`]: () => {
          revoked = true;
          return new Response(null, { status: 204 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp('/settings/users');
    await user.click(await screen.findByRole('button', { name: 'Revoke merchant-admin from owner@aurora.test' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke merchant-admin?' });
    expect(sent.some((r) => r.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke role' }));
    await screen.findByRole('table', { name: 'Users of Aurora Outfitters' });
    await waitFor(() => expect(screen.queryByText('merchant-admin')).not.toBeInTheDocument());
    expect(sent.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });
});
