import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AURORA_ID, BOREALIS_ID, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';
import type { DisputeAnalytics } from './api/analytics';
import { monthsBetween } from './api/analytics';

const analytics: DisputeAnalytics = {
  from: '2026-10-01',
  to: '2026-11-30',
  win_rate_by_reason: [
    { key: 'PRODUCTS_OR_SERVICES_NOT_RECEIVED', label: 'PRODUCTS_OR_SERVICES_NOT_RECEIVED', won: 1, lost: 3, win_rate: 0.25 },
    { key: 'PURCHASE_UNAUTHORIZED', label: 'PURCHASE_UNAUTHORIZED', won: 2, lost: 0, win_rate: 1 },
    { key: 'SOMETHING_NEW', label: 'SOMETHING_NEW', won: 0, lost: 0, win_rate: null },
  ],
  win_rate_by_partner: [
    { key: AURORA_ID, label: 'Aurora Outfitters', won: 3, lost: 1, win_rate: 0.75 },
    { key: BOREALIS_ID, label: 'Borealis Bikes', won: 0, lost: 2, win_rate: 0 },
  ],
  win_rate_by_month: [{ key: '2026-11', label: '2026-11', won: 3, lost: 3, win_rate: 0.5 }],
  amounts: [
    { currency: 'EUR', at_stake: 5000, lost: 2500, open_count: 1, lost_count: 1 },
    { currency: 'SEK', at_stake: 129900, lost: 21000, open_count: 3, lost_count: 2 },
  ],
  response_time: [{ month: '2026-10', answered: 4, median_hours: 30, p90_hours: 100 }],
  states_by_week: [
    { week: '2026-09-28', opened: 2, closed: 0, open_at_end: 2 },
    { week: '2026-10-05', opened: 1, closed: 1, open_at_end: 2 },
  ],
};

const empty: DisputeAnalytics = {
  from: '2026-10-01',
  to: '2026-11-30',
  win_rate_by_reason: [],
  win_rate_by_partner: [],
  win_rate_by_month: [],
  amounts: [],
  response_time: [],
  states_by_week: [{ week: '2026-09-28', opened: 0, closed: 0, open_at_end: 0 }],
};

const params = (req: SentRequest) => new URL(req.url, 'http://x').searchParams;
const CHARTS = ['Win rate by reason', 'Win rate by partner', 'Win rate by month', 'Amounts at stake and lost', 'Response time', 'Disputes by week'];

describe('dispute analytics', () => {
  it('opens from the queue and shows every chart with its values and CSV', async () => {
    stubApi({
      me: personas.acquirerSupport,
      handlers: {
        'GET /disputes': () => jsonResponse({ items: [], next_cursor: '', counts: { expires_soon: 0, needs_action: 0, waiting: 0, closed: 0, all: 0 } }),
        'GET /views': () => jsonResponse([]),
        'GET /disputes/analytics': () => jsonResponse(analytics),
      },
    });
    const user = userEvent.setup();
    const { router } = renderApp('/disputes');
    await user.click(await screen.findByRole('link', { name: 'Analytics' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/disputes/analytics'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Dispute analytics' })).toBeInTheDocument();

    for (const name of CHARTS) {
      const chart = await screen.findByRole('region', { name });
      expect(within(chart).getByRole('img')).toBeInTheDocument();
      expect(within(chart).getByRole('link', { name: `Download CSV: ${name}` }).getAttribute('href')).toMatch(/^\/api\/v1\/disputes\/analytics\.csv\?chart=[a-z_]+$/);
    }

    // Reasons in plain words, as a ranking: highest win rate first, the undecided one last.
    const reasons = within(screen.getByRole('region', { name: 'Win rate by reason' })).getByRole('table');
    expect(within(reasons).getAllByRole('row').slice(1).map((r) => r.textContent)).toEqual(['Unauthorized purchase100% (2 of 2)', 'Not received25% (1 of 4)', 'SOMETHING_NEW—']);
    const partners = within(screen.getByRole('region', { name: 'Win rate by partner' })).getByRole('table');
    expect(within(partners).getByRole('row', { name: /Aurora Outfitters/ })).toHaveTextContent('75% (3 of 4)');
    // Every month of the window on the axis, also those without a decided dispute.
    const months = within(screen.getByRole('region', { name: 'Win rate by month' })).getByRole('table');
    expect(within(months).getAllByRole('row')).toHaveLength(3);
    expect(within(months).getAllByRole('row')[2]).toHaveTextContent('50% (3 of 6)');
    const amounts = within(screen.getByRole('region', { name: 'Amounts at stake and lost' })).getByRole('table');
    expect(within(amounts).getByRole('row', { name: /SEK/ }).textContent).toMatch(/1,299\.00 · 3 open.*210\.00 · 2 lost/);
    const response = within(screen.getByRole('region', { name: 'Response time' })).getByRole('table');
    expect(within(response).getAllByRole('row')[1]).toHaveTextContent(/30 h.*4\.2 d/);
    const weeks = within(screen.getByRole('region', { name: 'Disputes by week' })).getByRole('table');
    expect(within(weeks).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Week', 'Opened', 'Closed', 'Open at the week’s end']);
    expect(screen.getByText(/Disputes opened .*Oct 1, 2026.*Nov 30, 2026/)).toBeInTheDocument();
  });

  it('sends the filters in the address to the API and to every CSV link, and applies new ones', async () => {
    const { sent } = stubApi({ me: personas.acquirerSupport, handlers: { 'GET /disputes/analytics': () => jsonResponse(analytics) } });
    const user = userEvent.setup();
    const { router } = renderApp(`/disputes/analytics?from=2026-10-01&to=2026-11-30&partner=${AURORA_ID},${BOREALIS_ID}&currency=SEK`);
    await screen.findByRole('region', { name: 'Win rate by reason' });

    const first = params(sent.find((r) => r.url.startsWith('/api/v1/disputes/analytics?'))!);
    expect(first.get('from')).toBe('2026-10-01');
    expect(first.get('to')).toBe('2026-11-30');
    expect(first.getAll('partner')).toEqual([AURORA_ID, BOREALIS_ID]);
    expect(first.get('currency')).toBe('SEK');

    const charts = ['win_rate_by_reason', 'win_rate_by_partner', 'win_rate_by_month', 'amounts', 'response_time', 'states_by_week'];
    CHARTS.forEach((name, i) => {
      const href = within(screen.getByRole('region', { name })).getByRole('link', { name: /Download CSV/ }).getAttribute('href') ?? '';
      const q = new URLSearchParams(href.split('?')[1]);
      expect(href.startsWith('/api/v1/disputes/analytics.csv?')).toBe(true);
      expect(q.get('chart')).toBe(charts[i]);
      expect(q.get('from')).toBe('2026-10-01');
      expect(q.getAll('partner')).toEqual([AURORA_ID, BOREALIS_ID]);
      expect(q.get('currency')).toBe('SEK');
    });

    const form = screen.getByRole('form', { name: 'Analytics filters' });
    const currency = within(form).getByRole('textbox', { name: 'Currency' });
    await user.clear(currency);
    await user.type(currency, 'eur');
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(new URLSearchParams(router.state.location.search).get('currency')).toBe('EUR'));
    await waitFor(() => expect(params(sent.filter((r) => r.url.startsWith('/api/v1/disputes/analytics?')).at(-1)!).get('currency')).toBe('EUR'));
  });

  it('shows the server’s message on the field it names', async () => {
    stubApi({
      me: personas.acquirerSupport,
      handlers: { 'GET /disputes/analytics': () => problemResponse(400, 'invalid', 'Check the filters.', [{ field: 'to', message: 'must not be before from' }]) },
    });
    renderApp('/disputes/analytics?from=2026-11-30&to=2026-10-01');
    const form = await screen.findByRole('form', { name: 'Analytics filters' });
    expect(await within(form).findByText('must not be before from')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Win rate by reason' })).not.toBeInTheDocument();
  });

  it('says what failed when the analytics cannot be loaded', async () => {
    stubApi({ me: personas.acquirerSupport, handlers: { 'GET /disputes/analytics': () => problemResponse(503, 'unavailable', 'The database is not answering.') } });
    renderApp('/disputes/analytics');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The analytics could not be loaded');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('says there is nothing yet when no dispute was opened in the window', async () => {
    stubApi({ me: personas.acquirerSupport, handlers: { 'GET /disputes/analytics': () => jsonResponse(empty) } });
    renderApp('/disputes/analytics');
    expect(await screen.findByRole('heading', { name: 'No disputes in this window' })).toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
  });

  it('lets a merchant’s dispute handler read its own analytics, without a partner filter', async () => {
    const { sent } = stubApi({ me: personas.merchantDisputes, handlers: { 'GET /disputes/analytics': () => jsonResponse(analytics) } });
    renderApp('/disputes/analytics');
    await screen.findByRole('region', { name: 'Win rate by partner' });
    const form = screen.getByRole('form', { name: 'Analytics filters' });
    expect(within(form).queryByLabelText('Partners')).not.toBeInTheDocument();
    expect(within(form).getByLabelText('Currency')).toBeInTheDocument();
    expect(params(sent.find((r) => r.url.startsWith('/api/v1/disputes/analytics'))!).toString()).toBe('');
  });

  it('lists every month of a window, across a year end', () => {
    expect(monthsBetween('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsBetween('2026-03-01', '2026-03-31')).toEqual(['2026-03']);
  });
});
