import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ACQUIRER_ID, personas, tenantUsers } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi, stubMeta } from '@/test/render';
import { navItems, visibleNavItems } from './navigation';

describe('app shell', () => {
  const pageHandlers = {
    [`GET /tenants/${ACQUIRER_ID}/users`]: () => jsonResponse(tenantUsers('Northwind Payments')),
    'GET /tokens': () => jsonResponse({ items: [] }),
    'GET /audit': () => jsonResponse({ items: [] }),
    'GET /klarna/calls': () => jsonResponse({ items: [], retention_days: 30 }),
    'GET /credentials': () => jsonResponse({ items: [], now: '2026-11-21T10:00:00Z' }),
    'GET /payments': () => jsonResponse({ items: [], next_cursor: '' }),
  };

  it('lists every section acquirer-admin may see in the main navigation', async () => {
    stubApi({ me: personas.acquirerAdmin });
    renderApp('/partners');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      '/home',
      '/partners',
      '/onboarding',
      '/disputes',
      '/payments',
      '/settlements',
      '/credentials',
      '/webhooks',
      '/klarna-calls',
      '/audit',
      '/settings/users',
      '/settings/tokens',
      '/settings',
    ]);
    expect(await screen.findByRole('heading', { level: 1, name: 'Partners' })).toBeInTheDocument();
  });

  it.each([
    ['merchant-disputes', personas.merchantDisputes, ['Home', 'Overview', 'Disputes', 'Payments', 'API tokens', 'Settings']],
    ['acquirer-finance', personas.acquirerFinance, ['Home', 'Partners', 'Disputes', 'Payments', 'Settlements', 'API tokens', 'Settings']],
    ['auditor', personas.auditor, ['Home', 'Partners', 'Disputes', 'Payments', 'Settlements', 'Credentials', 'Webhooks', 'Audit', 'Users & roles', 'Settings']],
    ['merchant-admin', personas.merchantAdmin, ['Home', 'Overview', 'Disputes', 'Payments', 'Settlements', 'Klarna calls', 'Audit', 'Users & roles', 'API tokens', 'Settings']],
  ])('shows %s only the sections its actions allow', async (_role, me, expected) => {
    stubApi({ me });
    renderApp('/partners');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    const labels = within(nav)
      .getAllByRole('link')
      .map((a) => navItems.find((i) => i.path === a.getAttribute('href'))?.label);
    expect(labels).toEqual(expected);
  });

  it('refuses a section by address when the role lacks its action, without calling its API', async () => {
    const { sent } = stubApi({ me: personas.merchantDisputes });
    renderApp('/audit');
    expect(await screen.findByRole('heading', { name: 'You don’t have access to this page' })).toBeInTheDocument();
    expect(screen.getByText('audit:read')).toBeInTheDocument();
    expect(sent.some((r) => r.url.startsWith('/api/v1/audit'))).toBe(false);
  });

  it('opens each section from the navigation and marks it current', async () => {
    stubApi({ me: personas.acquirerAdmin, handlers: pageHandlers });
    const user = userEvent.setup();
    const { router } = renderApp('/partners');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    const acquirer = personas.acquirerAdmin.tenants[0]!;
    for (const item of visibleNavItems((a) => acquirer.actions.includes(a), 'acquirer')) {
      const link = within(nav).getAllByRole('link').find((a) => a.getAttribute('href') === item.path);
      if (!link) throw new Error(`no link for ${item.path}`);
      await user.click(link);
      expect(await screen.findByRole('heading', { level: 1, name: item.label })).toBeInTheDocument();
      expect(router.state.location.pathname).toBe(item.path);
      expect(link).toHaveAttribute('aria-current', 'page');
      expect(within(nav).getAllByRole('link').filter((a) => a.getAttribute('aria-current') === 'page')).toHaveLength(1);
      expect(document.title).toBe(`${item.label} · Partner Desk`);
    }
  });

  it('sends the start page to Home', async () => {
    stubMeta();
    const { router } = renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/home');
  });

  it('shows the 404 page for an unknown address, inside the layout', async () => {
    stubMeta();
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByText('/no/such/page')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeInTheDocument();
  });

  it('shows the 404 page below a known section too', async () => {
    stubMeta();
    renderApp('/partners/some-partner/unknown-thing');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });

  it('shows the server version and the Demo badge from /api/v1/meta', async () => {
    const fetchMock = stubMeta({ version: '1.4.2', environment: 'dev', demo: true });
    renderApp('/partners');
    expect(await screen.findByText('Partner Desk 1.4.2 · dev')).toBeInTheDocument();
    expect(screen.getByText('Demo')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/meta', expect.objectContaining({ credentials: 'same-origin' }));
  });

  it('shows no Demo badge in production', async () => {
    stubMeta({ version: '2.0.0', environment: 'production', demo: false });
    renderApp('/partners');
    expect(await screen.findByText('Partner Desk 2.0.0 · production')).toBeInTheDocument();
    expect(screen.queryByText('Demo')).not.toBeInTheDocument();
  });
});
