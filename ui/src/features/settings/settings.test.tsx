import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi } from '@/test/render';

const klarnaSettings: Schemas['KlarnaSettings'] = {
  api_key: { configured: true, source: 'file', variable: 'PARTNERDESK_KLARNA_API_KEY_FILE' },
  mtls: { configured: false, source: '', subject: '', issuer: '', fingerprint_sha256: '' },
  deep_link: {
    configured: true,
    source: 'PARTNERDESK_KLARNA_DEEPLINK_CERT_FILE',
    subject: 'CN=AQ4RT9ZP',
    issuer: 'CN=Klarna Client CA',
    fingerprint_sha256: 'ab12cd34',
    not_after: '2027-12-01T00:00:00Z',
    accepted: 'yes',
    accepted_detail: 'Klarna lists it as an enabled client certificate (c-1)',
  },
  acquirer_account_id: 'krn:partner:global:account:live:AQ4RT9ZP',
  gateway_url: 'https://api-global.klarna.com',
  simulator: false,
};

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
        'GET /settings/klarna': () => jsonResponse(klarnaSettings),
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

  it('shows Partner Desk’s own Klarna credentials to the acquirer as status only', async () => {
    stubApi({ me: personas.acquirerSupport, handlers: { 'GET /settings/klarna': () => jsonResponse(klarnaSettings) } });
    renderApp('/settings');
    const card = await screen.findByLabelText('Klarna credentials');
    const row = (name: RegExp) => within(card).getByRole('row', { name });
    expect(row(/API key/)).toHaveTextContent('configured');
    expect(row(/API key/)).toHaveTextContent('PARTNERDESK_KLARNA_API_KEY_FILE');
    expect(row(/Mutual TLS/)).toHaveTextContent('not configured');
    expect(row(/Deep-link signing/)).toHaveTextContent('accepted by Klarna');
    expect(row(/Deep-link signing/)).toHaveTextContent('CN=AQ4RT9ZP');
    expect(row(/Deep-link signing/)).toHaveTextContent('ab12cd34');
    expect(row(/Acquirer account id/)).toHaveTextContent('krn:partner:global:account:live:AQ4RT9ZP');
  });

  it('never shows a merchant Partner Desk’s own Klarna credentials', async () => {
    const { sent } = stubApi({ me: personas.merchantAdmin });
    renderApp('/settings');
    await screen.findByRole('table', { name: 'Role permissions' });
    expect(screen.queryByText('Klarna credentials')).not.toBeInTheDocument();
    expect(sent.some((r) => r.url.includes('/settings/klarna'))).toBe(false);
  });
});
