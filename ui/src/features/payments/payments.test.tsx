import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, BOREALIS_ID, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';
import { daysBetween, formatSeconds, type PaymentHealth, type PaymentHealthFigures, type PaymentHealthRates, type PaymentSummary, type PaymentTimeline } from './api/payments';

type Me = Schemas['Me'];

/** A persona without payment:read in any of its tenants (no built-in role lacks it). */
const withoutPayments = (me: Me): Me => ({ ...me, tenants: me.tenants.map((t) => ({ ...t, actions: t.actions.filter((a) => a !== 'payment:read') })) });
const acquirer = personas.acquirerFinance;
const merchant = personas.merchantFinance;

const PAY_A = 'krn:payment:eu1:payment-request:aaaa-1';
const PAY_B = 'krn:payment:eu1:payment-request:bbbb-2';
const PAY_C = 'krn:payment:eu1:payment-request:cccc-3';
const TX_A = 'krn:payment:eu1:transaction:aaaa-1';
const DISPUTE = 'krn:network:eu1:test:payment:dispute:77';
// The client puts ids in paths encoded (the stub matches the path as sent).
const ENC_A = encodeURIComponent(PAY_A);

/** An amount as the locale may write it: 1,299.00 or 1 299,00. */
const money = (major: string) => new RegExp(major.replace(/[.,]/g, '[.,\\s\u202f]?'));
const params = (req: SentRequest) => new URL(req.url, 'http://x').searchParams;
const lastTo = (sent: SentRequest[], prefix: string) => sent.filter((r) => r.url.startsWith(prefix)).at(-1);

function payment(over: Partial<PaymentSummary> & Pick<PaymentSummary, 'id'>): PaymentSummary {
  return {
    tenant_id: AURORA_ID,
    partner_name: 'Aurora Outfitters',
    reference: 'ACQ-REF-1',
    purchase_reference: 'NLO-1',
    payment_transaction_id: TX_A,
    order_id: 'order-1',
    payment_account_id: 'krn:partner:global:payment-account:test:aurora-1',
    payment_account_reference: 'aurora-pa-1',
    state: 'AUTHORIZED',
    state_known: true,
    state_reason: '',
    amount: 129900,
    currency: 'SEK',
    integration_path: 'HOSTED_CHECKOUT',
    payment_type: 'ONE_TIME',
    customer_token: false,
    interoperability_source: '',
    interoperability_token: false,
    interoperability: 'not_expected',
    created_at: '2026-11-20T10:00:00Z',
    state_at: '2026-11-20T10:01:00Z',
    submitted_at: '2026-11-20T10:00:00Z',
    authorized_at: '2026-11-20T10:01:00Z',
    final_at: '2026-11-20T10:01:00Z',
    expires_at: null,
    events: 3,
    ...over,
  };
}

const rows = [
  payment({ id: PAY_A }),
  payment({
    id: PAY_B,
    tenant_id: BOREALIS_ID,
    partner_name: 'Borealis Bikes',
    reference: 'ACQ-REF-2',
    state: 'DECLINED',
    amount: 5000,
    currency: 'EUR',
    integration_path: 'SERVER_SIDE',
    interoperability_source: 'KLARNA_APP',
    interoperability: 'missing',
  }),
  payment({ id: PAY_C, reference: '', state: 'ON_HOLD_NEW', state_known: false, amount: null, integration_path: '', interoperability: 'carried', interoperability_token: true }),
];

const page = () => jsonResponse({ items: rows, next_cursor: '' });

describe('payments list', () => {
  it('lists the payments with their state, amount, path and interoperability, and opens one', async () => {
    stubApi({ me: acquirer, handlers: { 'GET /payments': page, [`GET /payments/${ENC_A}`]: () => jsonResponse(timeline()) } });
    const user = userEvent.setup();
    const { router } = renderApp('/payments');
    const table = await screen.findByRole('table', { name: 'Payments' });
    const row = (id: string) => table.querySelector(`tr[data-payment="${id}"]`) as HTMLElement;
    await waitFor(() => expect(row(PAY_A)).not.toBeNull());

    expect(within(table).getByRole('columnheader', { name: 'Partner' })).toBeInTheDocument();
    expect(within(row(PAY_A)).getByText('Authorized').closest('[data-state]')).toHaveAttribute('data-state', 'AUTHORIZED');
    expect(within(row(PAY_A)).getByText(money('1,299.00'))).toHaveTextContent(/SEK|kr/);
    expect(within(row(PAY_A)).getByText('ACQ-REF-1')).toBeInTheDocument();
    expect(within(row(PAY_A)).getByText(PAY_A)).toBeInTheDocument();
    expect(within(row(PAY_A)).getByText('Hosted checkout')).toBeInTheDocument();
    expect(within(row(PAY_A)).getByLabelText('Not expected')).toBeInTheDocument();

    expect(within(row(PAY_B)).getByText('Borealis Bikes')).toBeInTheDocument();
    expect(within(row(PAY_B)).getByText('Declined')).toBeInTheDocument();
    expect(within(row(PAY_B)).getByText('Server-side')).toBeInTheDocument();
    expect(within(row(PAY_B)).getByText('Missing').closest('[data-interop]')).toHaveAttribute('data-interop', 'missing');
    expect(within(row(PAY_B)).getByText(money('50.00'))).toHaveTextContent(/€|EUR/);

    // A state Klarna added is shown as reported; no amount is a dash.
    expect(within(row(PAY_C)).getByText('ON_HOLD_NEW').closest('[data-state]')).toHaveAttribute('data-known', 'false');
    expect(within(row(PAY_C)).getByText('Carried')).toBeInTheDocument();
    expect(screen.getByText(/3 payments — that is all/)).toBeInTheDocument();

    expect(screen.getByRole('link', { name: 'Integration health' })).toHaveAttribute('href', '/payments/health');
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', '/api/v1/payments/export.csv');

    await user.click(within(table).getByRole('row', { name: /Payment ACQ-REF-1 at Aurora Outfitters/ }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/payments/${ENC_A}`));
    expect(await screen.findByRole('heading', { level: 1, name: /Payment of/ })).toBeInTheDocument();
  });

  it('sends the filters of the address in the request and the export, and applies new ones to the address', async () => {
    const { sent } = stubApi({ me: acquirer, handlers: { 'GET /payments': page } });
    const user = userEvent.setup();
    const { router } = renderApp(`/payments?state=AUTHORIZED,DECLINED&partner=${BOREALIS_ID}&path=SERVER_SIDE,UNKNOWN&interop=missing&from=2026-11-01&to=2026-11-30&q=NLO-1`);
    await screen.findByRole('table', { name: 'Payments' });

    await waitFor(() => expect(lastTo(sent, '/api/v1/payments?')).toBeDefined());
    const asked = params(lastTo(sent, '/api/v1/payments?')!);
    expect(asked.getAll('state')).toEqual(['AUTHORIZED', 'DECLINED']);
    expect(asked.getAll('path')).toEqual(['SERVER_SIDE', 'UNKNOWN']);
    expect(asked.get('partner')).toBe(BOREALIS_ID);
    expect(asked.get('interop')).toBe('missing');
    expect(asked.get('from')).toBe('2026-11-01');
    expect(asked.get('to')).toBe('2026-11-30');
    expect(asked.get('q')).toBe('NLO-1');
    expect(asked.get('limit')).toBe('50');

    const exported = new URLSearchParams(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')!.split('?')[1]);
    expect(exported.getAll('state')).toEqual(['AUTHORIZED', 'DECLINED']);
    expect(Object.fromEntries(exported)).toMatchObject({ partner: BOREALIS_ID, interop: 'missing', from: '2026-11-01', to: '2026-11-30', q: 'NLO-1' });
    expect(exported.has('limit')).toBe(false);

    const form = screen.getByRole('form', { name: 'Payment filters' });
    expect(within(form).getByRole('searchbox', { name: 'Search' })).toHaveValue('NLO-1');
    await user.type(within(form).getByRole('textbox', { name: 'Currencies' }), 'sek, nok');
    fireEvent.change(within(form).getByLabelText('Created from'), { target: { value: '2026-11-05' } });
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => {
      const p = Object.fromEntries(new URLSearchParams(router.state.location.search));
      expect(p).toMatchObject({ currency: 'SEK,NOK', from: '2026-11-05', state: 'AUTHORIZED,DECLINED', q: 'NLO-1' });
    });
    await waitFor(() => expect(params(lastTo(sent, '/api/v1/payments?')!).getAll('currency')).toEqual(['SEK', 'NOK']));
  });

  it('opens from a deep link with a transaction id', async () => {
    const { sent } = stubApi({ me: acquirer, handlers: { 'GET /payments': () => jsonResponse({ items: [rows[0]], next_cursor: 'next' }) } });
    renderApp(`/payments?q=${encodeURIComponent(TX_A)}`);
    const table = await screen.findByRole('table', { name: 'Payments' });
    await within(table).findByText('ACQ-REF-1');
    expect(params(lastTo(sent, '/api/v1/payments?')!).get('q')).toBe(TX_A);
    // More to come: "Load more" asks for the next page with the cursor.
    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(params(lastTo(sent, '/api/v1/payments?')!).get('cursor')).toBe('next'));
  });

  it('shows every field error of a refused filter: on its input, and those no input shows above the list', async () => {
    stubApi({
      me: acquirer,
      handlers: {
        'GET /payments': () =>
          problemResponse(400, 'invalid', 'The filters are not valid.', [
            { field: 'from', message: 'must be a date or an RFC 3339 time' },
            { field: 'state[1]', message: 'is not a payment state' },
            { field: 'limit', message: 'must be at most 200' },
          ]),
      },
    });
    renderApp('/payments?from=yesterday&state=AUTHORIZED,NOPE');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('These filters were not accepted');
    expect(alert).toHaveTextContent('limit: must be at most 200');
    const form = screen.getByRole('form', { name: 'Payment filters' });
    expect(within(form).getByText('must be a date or an RFC 3339 time')).toBeInTheDocument();
    expect(within(form).getByText('is not a payment state')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Payments' })).not.toBeInTheDocument();
    expect(screen.getByText('Correct the filters to see the payments.')).toBeInTheDocument();
  });

  it('lists a merchant its own payments without a partner column or filter', async () => {
    stubApi({ me: merchant, handlers: { 'GET /payments': () => jsonResponse({ items: [rows[0]], next_cursor: '' }) } });
    renderApp('/payments');
    const table = await screen.findByRole('table', { name: 'Payments' });
    await within(table).findByText('ACQ-REF-1');
    expect(within(table).queryByRole('columnheader', { name: 'Partner' })).not.toBeInTheDocument();
    expect(within(screen.getByRole('form', { name: 'Payment filters' })).queryByLabelText('Partners')).not.toBeInTheDocument();
    expect(document.body).toHaveTextContent('at your store');
  });

  it('is refused to a role without payment:read, without calling the API', async () => {
    const { sent } = stubApi({ me: withoutPayments(personas.acquirerFinance) });
    renderApp('/payments');
    expect(await screen.findByRole('heading', { name: 'You don’t have access to this page' })).toBeInTheDocument();
    expect(sent.some((r) => r.url.startsWith('/api/v1/payments'))).toBe(false);
  });
});

function timeline(over: Partial<PaymentTimeline> = {}): PaymentTimeline {
  const p = payment({ id: PAY_A, interoperability_source: 'KLARNA_APP', interoperability: 'missing', payment_type: 'RECURRING', customer_token: true, state_reason: 'Customer approved' });
  return {
    payment: p,
    klarna_account_id: 'krn:partner:global:account:test:aurora',
    entries: [
      { at: '2026-11-20T10:00:00Z', kind: 'state', title: 'Payment request submitted', detail: '', state: 'SUBMITTED', amount: 129900, currency: 'SEK', payment_reference: '', dispute_id: '' },
      { at: '2026-11-20T10:01:00Z', kind: 'state', title: 'Payment request authorized', detail: 'from submitted', state: 'AUTHORIZED', amount: 129900, currency: 'SEK', payment_reference: '', dispute_id: '' },
      { at: '2026-11-21T09:00:00Z', kind: 'line', title: 'Captured and settled', detail: 'in payout KL-PAY-1 of 23 Nov 2026', state: 'SALE', amount: 129900, currency: 'SEK', payment_reference: 'KL-PAY-1', dispute_id: '' },
      { at: '2026-11-25T12:00:00Z', kind: 'dispute', title: 'Dispute opened', detail: 'Not received', state: 'INITIATED', amount: 129900, currency: 'SEK', payment_reference: '', dispute_id: DISPUTE },
    ],
    states: [],
    lines: [],
    disputes: [],
    money: { currency: 'SEK', authorized: 129900, captured: 129900, refunded: 10000, fees: 3250, settled: 116650, withheld: 129900, lost: 0 },
    flags: [
      { code: 'withheld_after_close', message: '1299.00 SEK is still withheld, though every dispute is closed.' },
      { code: 'lost_without_chargeback', message: `Dispute ${DISPUTE} was lost 9 days ago and no chargeback line has settled.` },
    ],
    ...over,
  };
}

describe("a payment's page", () => {
  it('shows the money side by side, what does not add up, the ids and integration, and one timeline with links to the payout and the dispute', async () => {
    stubApi({ me: acquirer, handlers: { [`GET /payments/${ENC_A}`]: () => jsonResponse(timeline()) } });
    renderApp(`/payments/${ENC_A}`);
    expect(await screen.findByRole('heading', { level: 1, name: /Payment of .*1,299\.00|1 299,00/ })).toBeInTheDocument();

    // The state's badge sits in the header, beside the title.
    const header = screen.getByRole('heading', { level: 1 }).closest('.mantine-Group-root') as HTMLElement;
    expect(header.querySelector('[data-state]')).toHaveAttribute('data-state', 'AUTHORIZED');
    expect(header.querySelector('[data-state]')).toHaveTextContent('Authorized');
    const summary = screen.getByRole('region', { name: 'Summary' });
    expect(within(summary).getByText('Authorized: Customer approved')).toBeInTheDocument();
    expect(within(summary).getByRole('link', { name: 'Aurora Outfitters' })).toHaveAttribute('href', `/partners/${AURORA_ID}`);

    const ids = screen.getByRole('region', { name: 'Ids' });
    for (const v of [PAY_A, 'ACQ-REF-1', 'NLO-1', TX_A, 'order-1', 'krn:partner:global:payment-account:test:aurora-1']) expect(within(ids).getByText(v)).toBeInTheDocument();
    expect(within(ids).getByText('aurora-pa-1')).toBeInTheDocument();
    expect(within(ids).getByRole('button', { name: 'Copy the payment transaction id' })).toBeInTheDocument();

    const flags = screen.getByLabelText('What does not add up');
    expect(flags).toHaveTextContent('2 things do not add up');
    expect(within(flags).getByText(/is still withheld, though every dispute is closed/).closest('[data-flag]')).toHaveAttribute('data-flag', 'withheld_after_close');
    expect(within(flags).getByText(/no chargeback line has settled/)).toBeInTheDocument();

    const m = screen.getByRole('region', { name: 'Money' });
    const fact = (name: string) => m.querySelector(`[data-money="${name}"]`) as HTMLElement;
    expect(fact('authorized')).toHaveTextContent(money('1,299.00'));
    expect(fact('captured')).toHaveTextContent(money('1,299.00'));
    expect(fact('refunded')).toHaveTextContent(money('100.00'));
    expect(fact('fees')).toHaveTextContent(money('32.50'));
    expect(fact('settled')).toHaveTextContent(money('1,166.50'));
    expect(fact('withheld')).toHaveTextContent(money('1,299.00'));
    expect(fact('lost')).toHaveTextContent(money('0.00'));

    const integration = screen.getByRole('region', { name: 'Integration' });
    expect(within(integration).getByText('Hosted checkout')).toBeInTheDocument();
    expect(within(integration).getByText('Recurring')).toBeInTheDocument();
    expect(within(integration).getByText('Issued')).toBeInTheDocument();
    expect(within(integration).getByText('KLARNA_APP')).toBeInTheDocument();
    expect(within(integration).getByText(/Missing: the request should have passed the interoperability token/)).toBeInTheDocument();

    const tl = screen.getByRole('region', { name: 'Timeline' });
    expect(within(tl).getByText('Payment request submitted')).toBeInTheDocument();
    expect(within(tl).getByText('from submitted')).toBeInTheDocument();
    expect(within(tl).getByText('Captured and settled')).toBeInTheDocument();
    expect(within(tl).getByText('in payout KL-PAY-1 of 23 Nov 2026')).toBeInTheDocument();
    expect(within(tl).getByText('Dispute opened')).toBeInTheDocument();
    expect(tl.querySelectorAll('[data-kind]')).toHaveLength(4);
    expect(tl.querySelector('[data-kind="line"]')).toHaveTextContent(money('1,299.00'));
    expect(tl.querySelector('[data-kind="state"][data-state="AUTHORIZED"]')).not.toBeNull();
    expect(within(tl).getByRole('link', { name: 'Payout KL-PAY-1' })).toHaveAttribute('href', '/settlements/payouts/KL-PAY-1');
    expect(within(tl).getByRole('link', { name: 'Open the dispute' })).toHaveAttribute('href', `/disputes/${encodeURIComponent(DISPUTE)}`);
  });

  it('shows no alert when everything adds up', async () => {
    stubApi({ me: acquirer, handlers: { [`GET /payments/${ENC_A}`]: () => jsonResponse(timeline({ flags: [], entries: [] })) } });
    renderApp(`/payments/${ENC_A}`);
    expect(await screen.findByRole('region', { name: 'Money' })).toBeInTheDocument();
    expect(screen.queryByLabelText('What does not add up')).not.toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: 'Timeline' })).getByText('Nothing has been reported yet.')).toBeInTheDocument();
  });

  it('says not found for a payment that does not exist or is another partner’s', async () => {
    stubApi({ me: merchant, handlers: { [`GET /payments/${ENC_A}`]: () => problemResponse(404, 'not_found', 'No such payment.') } });
    renderApp(`/payments/${ENC_A}`);
    expect(await screen.findByRole('heading', { name: 'No such payment' })).toBeInTheDocument();
    expect(screen.getByText('This payment does not exist or is not one you can see.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '← Payments' })).toHaveAttribute('href', '/payments');
  });

  it('offers to try again when the payment could not be loaded', async () => {
    stubApi({ me: acquirer, handlers: { [`GET /payments/${ENC_A}`]: () => problemResponse(503, 'unavailable', 'The database is not reachable.') } });
    renderApp(`/payments/${ENC_A}`);
    expect(await screen.findByText('The database is not reachable.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});

const figures = (over: Partial<PaymentHealthFigures> = {}): PaymentHealthFigures => ({
  payments: 100,
  authorized: 80,
  declined: 10,
  expired: 6,
  canceled: 4,
  open: 3,
  stale_open: 1,
  interoperability_expected: 20,
  interoperability_carried: 15,
  hosted: 70,
  server_side: 30,
  recurring: 5,
  settled_sale_lines: 40,
  ...over,
});
const rates = (over: Partial<PaymentHealthRates> = {}): PaymentHealthRates => ({
  authorization_rate: 0.8,
  decline_rate: 0.1,
  expiry_rate: 0.06,
  cancel_rate: 0.04,
  seconds_to_authorize: 42,
  interoperability_share: 0.75,
  hosted_share: 0.7,
  server_side_share: 0.3,
  recurring_share: 0.05,
  settlement_lag_days: 2.5,
  ...over,
});

function health(over: Partial<PaymentHealth> = {}): PaymentHealth {
  return {
    from: '2026-11-01',
    to: '2026-11-03',
    totals: figures(),
    rates: rates(),
    days: [
      { day: '2026-11-01', figures: figures({ payments: 60 }), rates: rates({ authorization_rate: 0.9 }) },
      { day: '2026-11-03', figures: figures({ payments: 40 }), rates: rates({ authorization_rate: 0.65 }) },
    ],
    partners: [
      {
        tenant_id: BOREALIS_ID,
        partner_name: 'Borealis Bikes',
        figures: figures({ payments: 30 }),
        rates: rates({ authorization_rate: 0.5, interoperability_share: 0.25 }),
        findings: [
          { rule: 'interoperability_token', gap: 0.75, message: 'The interoperability token came with 25 % of the 8 payments that should carry it.' },
          { rule: 'cancel_unused_requests', gap: 0.2, message: '20 % of requests expired instead of being canceled.' },
        ],
        distance: 0.95,
      },
      { tenant_id: AURORA_ID, partner_name: 'Aurora Outfitters', figures: figures({ payments: 70 }), rates: rates(), findings: [], distance: 0 },
    ],
    ...over,
  };
}

describe('integration health', () => {
  it('shows the headline figures, the charts per day with their CSV, and the partners furthest from the rules first', async () => {
    const { sent } = stubApi({ me: acquirer, handlers: { 'GET /payments/health': () => jsonResponse(health()) } });
    const user = userEvent.setup();
    const { router } = renderApp('/payments/health');
    expect(await screen.findByRole('heading', { level: 1, name: 'Integration health' })).toBeInTheDocument();
    const headline = await screen.findByLabelText('Authorization rate');
    expect(headline).toHaveTextContent('80%');
    expect(headline).toHaveTextContent('80 of 100 that reached a final state');
    expect(screen.getByLabelText('Decline rate')).toHaveTextContent('10%');
    expect(screen.getByLabelText('Expiry rate')).toHaveTextContent('6%');
    expect(screen.getByLabelText('Mean time to authorize')).toHaveTextContent('42 s');
    expect(screen.getByLabelText('Interoperability share')).toHaveTextContent('75%');
    expect(screen.getByLabelText('Interoperability share')).toHaveTextContent('15 of 20');
    expect(screen.getByLabelText('Settlement lag')).toHaveTextContent('2.5 days');
    expect(screen.getByLabelText('Path mix')).toHaveTextContent('70% hosted · 30% server-side');
    // Without dates, the server's default period (the last 30 days); the request carries none.
    expect(params(lastTo(sent, '/api/v1/payments/health')!).has('from')).toBe(false);

    // Every day of the period is on the axis, a day without payments a gap.
    const rateTable = within(screen.getByRole('table', { name: 'Authorization, decline and expiry rates per day' }));
    expect(rateTable.getAllByRole('row')).toHaveLength(4);
    expect(rateTable.getByRole('row', { name: /Nov 1/ })).toHaveTextContent('90%');
    expect(rateTable.getByRole('row', { name: /Nov 2/ })).toHaveTextContent('—');
    for (const chart of ['Authorization, decline and expiry rates per day', 'Interoperability share per day', 'Path mix per day', 'Settlement lag per day']) {
      expect(screen.getByRole('link', { name: `Download CSV: ${chart}` })).toHaveAttribute('href', '/api/v1/payments/health.csv?of=days');
    }

    const ranking = await screen.findByRole('table', { name: 'Partners by integration health' });
    const ranked = within(ranking).getAllByRole('row').slice(1);
    expect(ranked[0]).toHaveTextContent('Borealis Bikes');
    expect(ranked[0]).toHaveTextContent('The interoperability token came with 25 % of the 8 payments that should carry it.');
    expect(ranked[0]).toHaveTextContent('20 % of requests expired instead of being canceled.');
    expect(ranked[0]).toHaveAttribute('data-highlight', 'orange');
    expect(ranked[1]).toHaveTextContent('Aurora Outfitters');
    expect(ranked[1]).toHaveTextContent('Follows Klarna’s rules');
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', '/api/v1/payments/health.csv?of=partners');

    // A partner's row narrows the page to it.
    await user.click(within(ranking).getByRole('row', { name: /Borealis Bikes: 2 findings/ }));
    await waitFor(() => expect(new URLSearchParams(router.state.location.search).get('partner')).toBe(BOREALIS_ID));
    await waitFor(() => expect(params(lastTo(sent, '/api/v1/payments/health')!).get('partner')).toBe(BOREALIS_ID));
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', `/api/v1/payments/health.csv?of=partners&partner=${BOREALIS_ID}`);
  });

  it('sends the period picked and shows it', async () => {
    const { sent } = stubApi({ me: acquirer, handlers: { 'GET /payments/health': () => jsonResponse(health()) } });
    const user = userEvent.setup();
    const { router } = renderApp('/payments/health');
    const form = await screen.findByRole('form', { name: 'Health filters' });
    fireEvent.change(within(form).getByLabelText('From'), { target: { value: '2026-11-01' } });
    fireEvent.change(within(form).getByLabelText('To'), { target: { value: '2026-11-03' } });
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({ from: '2026-11-01', to: '2026-11-03' }));
    await waitFor(() => {
      const p = params(lastTo(sent, '/api/v1/payments/health')!);
      expect([p.get('from'), p.get('to')]).toEqual(['2026-11-01', '2026-11-03']);
    });
    expect(screen.getByRole('link', { name: 'Download CSV: Path mix per day' })).toHaveAttribute('href', '/api/v1/payments/health.csv?of=days&from=2026-11-01&to=2026-11-03');
  });

  it('shows a merchant its own figures and findings, without a ranking', async () => {
    const own = health({ partners: [{ ...health().partners[0]!, tenant_id: AURORA_ID, partner_name: 'Aurora Outfitters' }] });
    stubApi({ me: merchant, handlers: { 'GET /payments/health': () => jsonResponse(own) } });
    renderApp('/payments/health');
    expect(await screen.findByLabelText('Authorization rate')).toHaveTextContent('80%');
    const findings = screen.getByRole('region', { name: 'Findings' });
    expect(within(findings).getByText(/25 % of the 8 payments that should carry it/)).toBeInTheDocument();
    expect(within(findings).getByText('2 findings')).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Partners by integration health' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Partners')).not.toBeInTheDocument();
  });

  it('shows the field errors of a refused period', async () => {
    stubApi({ me: acquirer, handlers: { 'GET /payments/health': () => problemResponse(400, 'invalid', 'The period is not valid.', [{ field: 'to', message: 'must not be before from' }]) } });
    renderApp('/payments/health?from=2026-11-10&to=2026-11-01');
    expect(await screen.findByRole('alert')).toHaveTextContent('These filters were not accepted');
    expect(within(screen.getByRole('form', { name: 'Health filters' })).getByText('must not be before from')).toBeInTheDocument();
  });

  it('says so when the period has no payments', async () => {
    const none = figures({ payments: 0, authorized: 0, declined: 0, expired: 0, canceled: 0, open: 0, stale_open: 0, settled_sale_lines: 0 });
    stubApi({ me: acquirer, handlers: { 'GET /payments/health': () => jsonResponse(health({ totals: none, days: [], partners: [] })) } });
    renderApp('/payments/health');
    expect(await screen.findByRole('heading', { name: 'No payments in this period' })).toBeInTheDocument();
  });

  it('puts every day of the period on the axis and reads times as people do', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysBetween('bad', '2026-03-02')).toEqual([]);
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(210)).toBe('3.5 min');
    expect(formatSeconds(7200)).toBe('2 h');
    expect(formatSeconds(259_200)).toBe('3 d');
    expect(formatSeconds(null)).toBe('—');
  });
});

const disputeDetail = {
  id: DISPUTE,
  tenant_id: AURORA_ID,
  partner_name: 'Aurora Outfitters',
  state: 'INITIATED',
  previous_state: '',
  reason: 'PRODUCTS_OR_SERVICES_NOT_RECEIVED',
  amount: 129900,
  currency: 'SEK',
  deadline_at: null,
  outcome: '',
  opened_at: '2026-11-25T12:00:00Z',
  closed_at: null,
  updated_at: '2026-11-25T12:00:00Z',
  assignee: null,
  order_id: 'order-1',
  payment_transaction_id: TX_A,
  purchase_reference: 'NLO-1',
  payment_account_id: 'krn:partner:global:payment-account:test:aurora-1',
  representment_state: '',
  outcome_detailed: '',
  answered_at: null,
  read_at: null,
  klarna_account_id: '',
  actions: [],
  object: null,
  timeline: [],
} satisfies Schemas['DisputeDetail'];

describe('links to payments from other pages', () => {
  it("links a dispute's transaction and order id to the payments searched for them", async () => {
    const ENC_D = encodeURIComponent(DISPUTE);
    stubApi({ me: personas.auditor, handlers: { [`GET /disputes/${ENC_D}`]: () => jsonResponse(disputeDetail) } });
    renderApp(`/disputes/${ENC_D}`);
    const tx = await screen.findByRole('region', { name: 'Transaction' });
    expect(within(tx).getByRole('link', { name: TX_A })).toHaveAttribute('href', `/payments?q=${encodeURIComponent(TX_A)}`);
    expect(within(tx).getByRole('link', { name: 'order-1' })).toHaveAttribute('href', '/payments?q=order-1');
  });

  it("links a payout line's order id to the payments searched for it", async () => {
    const line = {
      id: 1,
      payment_reference: 'KL-PAY-1',
      type: 'SALE',
      detailed_type: 'PURCHASE',
      amount: 129900,
      vat_amount: null,
      currency: 'SEK',
      order_id: 'order-1',
      capture_id: 'cap-1',
      refund_id: '',
      merchant_reference1: '',
      capture_date: '2026-11-20T00:00:00Z',
      dispute_id: '',
      reversal_reference: '',
    };
    const detail = {
      payout: {
        payment_reference: 'KL-PAY-1',
        tenant_id: AURORA_ID,
        partner_name: 'Aurora Outfitters',
        merchant_id: 'K100',
        payout_date: '2026-11-23T06:00:00Z',
        currency: 'SEK',
        settlement_type: 'NET',
        sale_amount: 129900,
        return_amount: 0,
        reversal_amount: 0,
        fee_amount: 0,
        tax_amount: 0,
        holdback_amount: 0,
        release_amount: 0,
        settlement_amount: 129900,
        line_count: 1,
        lines_complete: true,
        reconciled: true,
        difference: 0,
      },
      klarna_account_id: '',
      settlement_id: '',
      totals: {},
      opening_debt_amount: 0,
      closing_debt_amount: 0,
      mismatches: [],
      line_types: [],
      ingested_at: '2026-11-23T06:01:00Z',
      updated_at: '2026-11-23T06:01:00Z',
    };
    stubApi({
      me: acquirer,
      handlers: {
        'GET /payouts/KL-PAY-1': () => jsonResponse(detail),
        'GET /payouts/KL-PAY-1/lines': () => jsonResponse({ items: [line], next_cursor: '' }),
      },
    });
    renderApp('/settlements/payouts/KL-PAY-1');
    const lines = await screen.findByRole('table', { name: 'Transaction lines' });
    expect(await within(lines).findByRole('link', { name: 'order-1' })).toHaveAttribute('href', '/payments?q=order-1');
  });

  it("leaves a dispute's ids as text for a role without payment:read", async () => {
    stubApi({ me: withoutPayments(personas.auditor), handlers: { [`GET /disputes/${encodeURIComponent(DISPUTE)}`]: () => jsonResponse(disputeDetail) } });
    renderApp(`/disputes/${encodeURIComponent(DISPUTE)}`);
    const tx = await screen.findByRole('region', { name: 'Transaction' });
    expect(within(tx).getByText(TX_A)).toBeInTheDocument();
    expect(within(tx).queryByRole('link', { name: TX_A })).not.toBeInTheDocument();
  });
});
