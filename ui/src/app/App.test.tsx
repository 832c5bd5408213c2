import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp, stubMeta } from '@/test/render';
import { navItems } from './navigation';

describe('app shell', () => {
  it('lists every section in the main navigation', async () => {
    stubMeta();
    renderApp('/partners');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      '/partners',
      '/disputes',
      '/settlements',
      '/webhooks',
      '/audit',
      '/settings',
    ]);
    for (const label of ['Partners', 'Disputes', 'Settlements', 'Webhooks', 'Audit', 'Settings']) {
      expect(within(nav).getByRole('link', { name: new RegExp(`^${label}`) })).toBeInTheDocument();
    }
    expect(await screen.findByRole('heading', { level: 1, name: 'Partners' })).toBeInTheDocument();
  });

  it('opens each section from the navigation and marks it current', async () => {
    stubMeta();
    const user = userEvent.setup();
    const { router } = renderApp('/partners');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    for (const item of navItems) {
      await user.click(within(nav).getByRole('link', { name: new RegExp(`^${item.label}`) }));
      expect(await screen.findByRole('heading', { level: 1, name: item.label })).toBeInTheDocument();
      expect(router.state.location.pathname).toBe(item.path);
      expect(within(nav).getByRole('link', { name: new RegExp(`^${item.label}`) })).toHaveAttribute('aria-current', 'page');
      expect(document.title).toBe(`${item.label} · Partner Desk`);
    }
  });

  it('says honestly that a section has nothing yet', async () => {
    stubMeta();
    renderApp('/disputes');
    expect(await screen.findByRole('heading', { name: 'No disputes yet' })).toBeInTheDocument();
    expect(screen.getByText(/will appear here/)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('sends the start page to Partners', async () => {
    stubMeta();
    const { router } = renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Partners' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/partners');
  });

  it('shows the 404 page for an unknown address, inside the layout', async () => {
    stubMeta();
    renderApp('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByText('/no/such/page')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the start page' })).toHaveAttribute('href', '/');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
  });

  it('shows the 404 page below a known section too', async () => {
    stubMeta();
    renderApp('/partners/unknown-thing');
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
