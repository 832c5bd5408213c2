import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AURORA_ID, personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi, type SentRequest } from '@/test/render';
import type { PayoutDetail, PayoutSummary } from './api/settlements';

const payout = (ref: string, over: Partial<PayoutSummary> = {}): PayoutSummary => ({
  payment_reference: ref,
  tenant_id: AURORA_ID,
  partner_name: 'Aurora Outfitters',
  merchant_id: 'K100',
  payout_date: '2026-11-23T06:00:00Z',
  currency: 'SEK',
  settlement_type: 'NET',
  sale_amount: 100000,
  return_amount: 5000,
  reversal_amount: 0,
  fee_amount: 3000,
  tax_amount: 750,
  holdback_amount: 0,
  release_amount: 0,
  settlement_amount: 91250,
  line_count: 4,
  lines_complete: true,
  reconciled: true,
  difference: 0,
  ...over,
});

const odd = payout('KL-ODD', { reconciled: false, difference: -500, fee_amount: 3500, settlement_amount: 90750 });
const charts = {
  from: '2025-12-04',
  to: '2026-12-03',
  weeks: [{ week: '2026-11-23', currency: 'SEK', payouts: 2, net: 182000, sales: 200000, fees: 6500, tax: 1500, returns: 10000, chargebacks: 0, fee_share: 0.04 }],
};
const statement = {
  partner_id: AURORA_ID,
  partner_name: 'Aurora Outfitters',
  month: '2026-11',
  currencies: [
    {
      currency: 'SEK',
      opening_debt: 1500,
      closing_debt: 0,
      paid: 182000,
      net: 182000,
      totals: { sale_amount: 200000, return_amount: 10000, reversal_amount: 0, fee_amount: 6500, tax_amount: 1500, holdback_amount: 0, release_amount: 0 },
      payouts: [],
      breaks: [],
      unreconciled: ['KL-ODD'],
      // Klarna counts a payout of 500.00 SEK that is not stored here.
      klarna_summary: { settlement_amount: 232000, sale_amount: 250000, return_amount: 10000, reversal_amount: 0, fee_amount: 6500, tax_amount: 1500, holdback_amount: 0, release_amount: 0, difference: 50000 },
    },
  ],
};
const params = (req: SentRequest) => new URL(req.url, 'http://x').searchParams;

function stub(me = personas.acquirerFinance) {
  return stubApi({
    me,
    handlers: {
      'GET /payouts': () =>
        jsonResponse({
          items: [payout('KL-GOOD'), odd],
          next_cursor: '',
          totals: [{ currency: 'SEK', payouts: 2, sale_amount: 200000, return_amount: 10000, reversal_amount: 0, fee_amount: 6500, tax_amount: 1500, holdback_amount: 0, release_amount: 0, settlement_amount: 182000 }],
        }),
      'GET /settlements/charts': () => jsonResponse(charts),
      'GET /settlements/statement': () => jsonResponse(statement),
      'GET /payouts/KL-ODD': () =>
        jsonResponse({
          payout: odd,
          klarna_account_id: 'krn:partner:global:account:test:A',
          settlement_id: '',
          totals: {},
          opening_debt_amount: 0,
          closing_debt_amount: 0,
          mismatches: [{ total: 'fee_amount', reported: 3500, lines: 3000 }],
          line_types: [{ type: 'SALE', lines: 2, amount: 100000, vat_amount: 0 }],
          ingested_at: '2026-11-23T06:01:00Z',
          updated_at: '2026-11-23T06:01:00Z',
        } satisfies PayoutDetail),
      'GET /payouts/KL-ODD/lines': () => jsonResponse({ items: [], next_cursor: '' }),
    },
  });
}

describe('settlements', () => {
  it('lists payouts with their totals, marks the one that does not reconcile, and keeps the filters in the address', async () => {
    const { sent } = stub();
    const user = userEvent.setup();
    const { router } = renderApp('/settlements');
    const table = await screen.findByRole('table', { name: 'Payouts' });
    await within(table).findByText('KL-ODD');
    expect(within(table).getByText('Does not reconcile')).toBeInTheDocument();
    expect(within(screen.getByLabelText('Totals in SEK')).getByText(/1,820\.00|1 820,00/)).toBeInTheDocument();
    // The charts and the statement of last month sit below.
    expect(await screen.findByRole('region', { name: /Net payouts per week/ })).toBeInTheDocument();
    expect(await screen.findByText(/The lines of KL-ODD do not add up/)).toBeInTheDocument();
    expect(screen.getByText(/Klarna says .*(2,320\.00|2 320,00).* was settled this month, .*(500\.00|500,00).* more than the payouts stored here: a payout may be missing/)).toBeInTheDocument();

    await user.click(screen.getByRole('textbox', { name: 'Currencies' }));
    await user.type(screen.getByRole('textbox', { name: 'Currencies' }), 'sek');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(router.state.location.search).toContain('currency=SEK'));
    await waitFor(() => expect(sent.some((r) => r.url.startsWith('/api/v1/payouts?') && params(r).get('currency') === 'SEK')).toBe(true));
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe('/api/v1/payouts/export.csv?currency=SEK');
  });

  it("a payout's page says by how much and where it does not add up", async () => {
    stub();
    renderApp('/settlements/payouts/KL-ODD');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(/Does not reconcile/);
    expect(alert).toHaveTextContent(/fee amount: Klarna reports .*35\.00.*the lines add up to .*30\.00/);
    expect(screen.getByRole('link', { name: 'Klarna’s PDF' })).toHaveAttribute('href', '/api/v1/payouts/KL-ODD/klarna.pdf');
    // The waterfall steps down by each deduction: fees with tax 35.00 + 7.50.
    const steps = within(screen.getByRole('table', { name: 'Where the money went' }));
    expect(steps.getByRole('row', { name: /Fees \+ tax/ })).toHaveTextContent(/-.*42\.50/);
    expect(steps.getByRole('row', { name: /Net settlement/ })).toHaveTextContent(/907\.50/);
  });

  it('a merchant sees no partner column or filter', async () => {
    stub(personas.merchantFinance);
    renderApp('/settlements');
    const table = await screen.findByRole('table', { name: 'Payouts' });
    await within(table).findByText('KL-GOOD');
    expect(within(table).queryByRole('columnheader', { name: 'Partner' })).not.toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Partners' })).not.toBeInTheDocument();
  });
});
