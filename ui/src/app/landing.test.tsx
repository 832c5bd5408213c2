import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { ACQUIRER_ID, personas, tenantUsers } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi } from '@/test/render';

const handlers = {
  'GET /audit': () => jsonResponse({ items: [] }),
  'GET /disputes': () => jsonResponse({ items: [], next_cursor: '', counts: { expires_soon: 0, needs_action: 0, waiting: 0, closed: 0, all: 0 } }),
  'GET /views': () => jsonResponse([]),
  [`GET /tenants/${ACQUIRER_ID}/users`]: () => jsonResponse(tenantUsers('Northwind Payments')),
};

/** A home page with one tile, as GET /home answers (the home feature's own tests cover the rest). */
const home = (label: string): Schemas['HomePage'] => ({
  groups: ['disputes'],
  tiles: [{ key: 'k', group: 'disputes', label, hint: '', count: 3, link: '/disputes?view=expires_soon', urgent: true }],
  top_partners: [],
  latest_payouts: [],
  net_payouts: [],
  expected_payouts: [],
  rate_limits: [],
  month: '2026-12-01',
  portal: false,
});

describe('start page per persona', () => {
  it.each<[string, Schemas['Me'], RegExp]>([
    ['acquirer-admin', personas.acquirerAdmin, /across Northwind Payments’s partners/],
    ['acquirer-support', personas.acquirerSupport, /across Northwind Payments’s partners/],
    ['acquirer-finance', personas.acquirerFinance, /across Northwind Payments’s partners/],
    ['auditor', personas.auditor, /across Northwind Payments’s partners/],
    ['merchant-admin', personas.merchantAdmin, /What needs you today at Aurora Outfitters/],
    ['merchant-disputes', personas.merchantDisputes, /What needs you today at Aurora Outfitters/],
    ['merchant-finance', personas.merchantFinance, /What needs you today at Aurora Outfitters/],
  ])('starts %s at Home, in its tenant’s words', async (_role, me, words) => {
    stubApi({ me, handlers: { ...handlers, 'GET /home': () => jsonResponse(home('Disputes due within 24 h')) } });
    const { router } = renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/home');
    expect(document.body).toHaveTextContent(words);
    expect(await screen.findByRole('link', { name: 'Disputes due within 24 h: 3' })).toHaveAttribute('href', '/disputes?view=expires_soon');
  });

  it.each([
    ['merchant-admin', personas.merchantAdmin],
    ['merchant-disputes', personas.merchantDisputes],
    ['merchant-finance', personas.merchantFinance],
  ])('shows %s only its own partner in the directory, in a store’s words, and no Partners section', async (_role, me) => {
    stubApi({ me, handlers });
    renderApp('/partners');
    const table = await screen.findByRole('table', { name: 'Partners' });
    expect(within(table).getByText('Aurora Outfitters')).toBeInTheDocument();
    expect(within(table).queryByText('Borealis Bikes')).not.toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByText('Partners')).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(/distribute Klarna|your partners|for acquirers/);
  });

  it('words the merchant’s empty Disputes and Settlements pages for a store', async () => {
    stubApi({ me: personas.merchantAdmin, handlers });
    renderApp('/disputes');
    expect(await screen.findByRole('heading', { level: 1, name: 'Disputes' })).toBeInTheDocument();
    expect(document.body).toHaveTextContent('disputes against your store');
    expect(document.body).not.toHaveTextContent('against your partners');
  });

  it('gives an acquirer looking at one partner that partner’s home', async () => {
    let asked = '';
    stubApi({
      me: personas.acquirerAdmin,
      handlers: {
        ...handlers,
        'GET /home': (req) => {
          asked = new URL(req.url, 'http://localhost').searchParams.get('tenant') ?? '';
          return jsonResponse(home('Unassigned disputes'));
        },
      },
    });
    const { router } = renderApp('/?tenant=aurora');
    expect(await screen.findByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/home');
    expect(router.state.location.search).toBe('?tenant=aurora');
    expect(document.body).toHaveTextContent('What needs you today at Aurora Outfitters');
    expect(asked).not.toBe('');
  });
});
