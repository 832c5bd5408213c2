import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { ACQUIRER_ID, AURORA_ID, BOREALIS_ID, partnerDetail, partners, personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi } from '@/test/render';

type Home = Schemas['HomePage'];
type Tile = Schemas['HomeTile'];

const tile = (key: string, group: Tile['group'], label: string, count: number, link: string, urgent = false): Tile => ({ key, group, label, hint: `hint of ${key}`, count, link, urgent });

const empty: Home = { groups: [], tiles: [], top_partners: [], latest_payouts: [], net_payouts: [], expected_payouts: [], rate_limits: [], month: '2026-12-01', portal: false };

const acquirerHome: Home = {
  ...empty,
  groups: ['partners', 'disputes', 'settlements'],
  tiles: [
    tile('product_disabled', 'partners', 'Payment product disabled', 1, '/partners?product_status=DISABLED', true),
    tile('onboarding_stuck', 'partners', 'Onboardings stuck', 0, '/partners?onboarding=stuck', true),
    tile('disputes_due_24h', 'disputes', 'Disputes due within 24 h', 4, '/disputes?view=expires_soon&due_within=24h', true),
    tile('payouts_unreconciled', 'settlements', 'Payouts that do not reconcile', 2, '/settlements?reconciled=false', true),
  ],
  top_partners: [
    { tenant_id: AURORA_ID, name: 'Aurora Outfitters', count: 7 },
    { tenant_id: BOREALIS_ID, name: 'Borealis Bikes', count: 3 },
  ],
  net_payouts: [{ currency: 'SEK', this_month: 150000, last_month: 100000, this_count: 3, last_count: 2 }],
  expected_payouts: [
    { tenant_id: AURORA_ID, partner_name: 'Aurora Outfitters', currency: 'SEK', expected_at: '2026-12-01T00:00:00Z', every_days: 7, last_reference: 'KL1', last_amount: 50000, late: true },
  ],
  rate_limits: [{ category: 'PARTNER_MANAGEMENT', rate_limited: 12, waited_seconds: 30 }],
};

const handlers = (home: Home) => ({
  'GET /home': () => jsonResponse(home),
  'GET /disputes': () => jsonResponse({ items: [], next_cursor: '', counts: { expires_soon: 0, needs_action: 0, waiting: 0, closed: 0, all: 0 } }),
  'GET /views': () => jsonResponse([]),
});

describe('home', () => {
  it('shows the acquirer admin its tiles by group with their counts, and each opens the list it counts', async () => {
    const { sent } = stubApi({ me: personas.acquirerAdmin, handlers: handlers(acquirerHome) });
    const { router } = renderApp('/home');
    expect(await screen.findByRole('link', { name: 'Payment product disabled: 1' })).toBeInTheDocument();
    expect(sent.find((r) => r.url.startsWith('/api/v1/home'))?.url).toContain(`tenant=${ACQUIRER_ID}`);
    for (const name of ['Partners and integration', 'Disputes', 'Settlements']) expect(screen.getByRole('heading', { level: 2, name })).toBeInTheDocument();
    const partnersGroup = screen.getByRole('region', { name: 'Partners and integration' });
    expect(within(partnersGroup).getByRole('link', { name: 'Payment product disabled: 1' })).toHaveAttribute('href', '/partners?product_status=DISABLED');
    expect(within(partnersGroup).getByRole('link', { name: 'Onboardings stuck: 0' })).toBeInTheDocument();
    expect(within(partnersGroup).getByText(/PARTNER_MANAGEMENT: 12 × 429, waited 30 s/)).toBeInTheDocument();
    const settlements = screen.getByRole('region', { name: 'Settlements' });
    expect(within(settlements).getByText('SEK').closest('[data-net]')).toHaveTextContent(/1,500\.00 in 3 · last month SEK\s?1,000\.00 in 2/);
    expect(within(settlements).getByText('Late')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('link', { name: 'Disputes due within 24 h: 4' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/disputes'));
    expect(router.state.location.search).toBe('?view=expires_soon&due_within=24h');
  });

  it('opens a partner’s open disputes from the most-disputes list', async () => {
    stubApi({ me: personas.acquirerAdmin, handlers: handlers(acquirerHome) });
    const { router } = renderApp('/home');
    await userEvent.click(await screen.findByRole('row', { name: 'Aurora Outfitters: 7 open disputes' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/disputes'));
    expect(new URLSearchParams(router.state.location.search).get('partner')).toBe(AURORA_ID);
  });

  it('gives a merchant admin its partner’s home with the Klarna Portal button', async () => {
    stubApi({
      me: personas.merchantAdmin,
      handlers: {
        ...handlers({ ...empty, groups: ['disputes'], tiles: [tile('disputes_unassigned', 'disputes', 'Unassigned disputes', 2, '/disputes?view=needs_action&assignee=none')], portal: true }),
        [`GET /tenants/${AURORA_ID}/partner`]: () => jsonResponse(partnerDetail(partners.aurora)),
      },
    });
    renderApp('/home');
    expect(await screen.findByText('What needs you today at Aurora Outfitters.')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Unassigned disputes: 2' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Open in Klarna Portal' })).toBeEnabled();
    expect(screen.queryByRole('table', { name: 'Partners with the most open disputes' })).not.toBeInTheDocument();
  });

  it('tells a user whose roles work on nothing here that nothing needs them', async () => {
    stubApi({ me: personas.merchantAdmin, handlers: handlers(empty) });
    renderApp('/home');
    expect(await screen.findByText(/Nothing here needs you/)).toBeInTheDocument();
  });
});
