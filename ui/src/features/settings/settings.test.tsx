import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi } from '@/test/render';

describe('settings', () => {
  it('shows which role allows which action, from /roles', async () => {
    stubApi({ me: personas.merchantDisputes });
    renderApp('/settings');
    const table = await screen.findByRole('table', { name: 'Role permissions' });
    expect(within(table).getByLabelText('merchant-disputes may dispute:respond')).toHaveTextContent('✓');
    expect(within(table).getByLabelText('merchant-disputes may not settlement:read')).not.toHaveTextContent('✓');
    expect(within(table).getByLabelText('auditor may audit:export')).toHaveTextContent('✓');
    expect(within(table).getAllByRole('rowheader').map((th) => th.textContent)).toContain('user:manage');
  });

  it('links to the user and token pages only when the role allows them', async () => {
    stubApi({ me: personas.merchantDisputes });
    renderApp('/settings');
    await screen.findByRole('table', { name: 'Role permissions' });
    const main = screen.getByRole('main');
    expect(within(main).getByRole('link', { name: 'API tokens' })).toHaveAttribute('href', '/settings/tokens');
    expect(within(main).queryByRole('link', { name: 'Users & roles' })).not.toBeInTheDocument();
  });

  it('shows the identity provider and the claim names of recent logins to acquirer user admins', async () => {
    stubApi({
      me: personas.acquirerAdmin,
      handlers: {
        'GET /settings/identity': () =>
          jsonResponse({
            issuer: 'https://login.example.com/realms/acme',
            scopes: ['openid', 'profile', 'email'],
            groups_claim: 'realm_access.roles',
            group_roles: [{ group: 'pd-admins', tenant_slug: 'acquirer', role: 'acquirer-admin' }],
            recent_logins: [
              { user_id: '00000000-0000-0000-0000-0000000000aa', email: 'ada@acquirer.test', last_login_at: '2026-12-01T10:00:00Z', claims: ['email', 'groups', 'sub'] },
            ],
          }),
      },
    });
    renderApp('/settings');
    const card = await screen.findByLabelText('Identity provider');
    expect(card).toHaveTextContent('https://login.example.com/realms/acme');
    expect(card).toHaveTextContent('openid profile email');
    expect(card).toHaveTextContent('realm_access.roles');
    expect(card).toHaveTextContent('pd-admins → acquirer:acquirer-admin');
    const logins = within(card).getByRole('table', { name: 'Claims of recent logins' });
    const row = within(logins).getByRole('row', { name: /ada@acquirer.test/ });
    expect(within(row).getByText('groups')).toBeInTheDocument();
    expect(within(row).getByText('sub')).toBeInTheDocument();
  });

  it('does not ask partner users for the identity provider settings', async () => {
    const { sent } = stubApi({ me: personas.merchantAdmin });
    renderApp('/settings');
    await screen.findByRole('table', { name: 'Role permissions' });
    expect(screen.queryByText('Identity provider')).not.toBeInTheDocument();
    expect(sent.some((r) => r.url.includes('/settings/identity'))).toBe(false);
  });
});
