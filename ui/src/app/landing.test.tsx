import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { ACQUIRER_ID, personas, tenantUsers } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi } from '@/test/render';
import { landingPath } from './navigation';

const handlers = {
  'GET /audit': () => jsonResponse({ items: [] }),
  'GET /disputes': () => jsonResponse({ items: [], next_cursor: '', counts: { expires_soon: 0, needs_action: 0, waiting: 0, closed: 0, all: 0 } }),
  'GET /views': () => jsonResponse([]),
  [`GET /tenants/${ACQUIRER_ID}/users`]: () => jsonResponse(tenantUsers('Northwind Payments')),
};

describe('start page per persona', () => {
  it.each<[string, Schemas['Me'], string, string, RegExp]>([
    ['acquirer-admin', personas.acquirerAdmin, '/partners', 'Partners', /Merchants you distribute Klarna to/],
    ['acquirer-support', personas.acquirerSupport, '/disputes', 'Disputes', /against your partners/],
    ['acquirer-finance', personas.acquirerFinance, '/settlements', 'Settlements', /Payouts from Klarna to your partners/],
    ['auditor', personas.auditor, '/audit', 'Audit', /./],
    ['merchant-admin', personas.merchantAdmin, '/overview', 'Overview', /Aurora Outfitters: your store’s Klarna account/],
    ['merchant-disputes', personas.merchantDisputes, '/disputes', 'Disputes', /disputes against your store/],
    ['merchant-finance', personas.merchantFinance, '/settlements', 'Settlements', /Payouts from Klarna to your store/],
  ])('sends %s to its own start page, in its words', async (_role, me, path, heading, words) => {
    stubApi({ me, handlers });
    const { router } = renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: heading })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(path);
    expect(document.body).toHaveTextContent(words);
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

  it('gives an acquirer looking at one partner that partner’s overview, not the partner list', async () => {
    stubApi({ me: personas.acquirerAdmin, handlers });
    const { router } = renderApp('/?tenant=aurora');
    expect(await screen.findByRole('heading', { level: 1, name: 'Overview' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/overview');
    expect(router.state.location.search).toBe('?tenant=aurora');
  });

  it('falls back to the first visible section when no rule fits', () => {
    const can = (a: string) => ['webhook:read'].includes(a);
    expect(landingPath(can, 'acquirer')).toBe('/webhooks');
    expect(landingPath(() => false, 'partner')).toBe('/settings');
  });
});
