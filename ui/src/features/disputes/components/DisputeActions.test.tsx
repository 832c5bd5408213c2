import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AURORA_ID } from '@/test/fixtures';
import { jsonResponse, renderInRouter, stubApi } from '@/test/render';
import { answerErrors, DisputeActions } from './DisputeActions';

const ID = 'krn:network:eu1:test:payment:dispute:42';

const dispute = {
  id: ID, tenant_id: AURORA_ID, partner_name: 'Aurora Outfitters', state: 'INITIATED', previous_state: '', reason: 'PRODUCTS_OR_SERVICES_NOT_RECEIVED',
  amount: 12900, currency: 'EUR', deadline_at: new Date(Date.now() + 50 * 3600_000).toISOString(), outcome: '', opened_at: '2026-11-20T10:00:00Z',
  closed_at: null, updated_at: '2026-11-20T10:00:00Z', assignee: null, order_id: 'o-1', payment_transaction_id: 't-1', purchase_reference: 'p-1',
  payment_account_id: 'pa-1', representment_state: 'EVIDENCE_REQUESTED', outcome_detailed: '', answered_at: null, klarna_account_id: 'k', read_at: null,
  actions: ['represent', 'accept_loss'], timeline: [],
};

const draft = {
  dispute_id: ID, kind: 'represent', additional_information: '', checklist: [], version: 0, attachments: [], max_information: 5000,
  guide: { title: 'Goods or services not received', explanation: 'The order never arrived.', items: [{ id: 'proof_of_delivery', label: 'Proof of delivery with tracking' }] },
};

function renderActions(actions: string[]) {
  const path = `/disputes/${encodeURIComponent(ID)}`;
  const api = stubApi({
    handlers: {
      [`GET ${path}`]: () => jsonResponse(dispute),
      [`GET ${path}/actions`]: () => jsonResponse([]),
      [`GET ${path}/draft`]: () => jsonResponse(draft),
      [`PUT ${path}/draft`]: () => jsonResponse({ ...draft, version: 1 }),
      [`POST ${path}/accept-loss`]: () =>
        jsonResponse({ id: '00000000-0000-4000-8000-000000000001', dispute_id: ID, kind: 'accept_loss', status: 'pending', error: '', attachments: 0, created_by: 'me', created_at: '2026-11-20T10:00:00Z' }, { status: 202 }),
    },
  });
  const view = renderInRouter(<DisputeActions disputeId={ID} actions={actions} />);
  return { ...view, api };
}

describe('DisputeActions', () => {
  it('shows nothing when no action is allowed', async () => {
    const { api } = renderActions([]);
    await waitFor(() => expect(api.sent.some((r) => r.url.endsWith('/actions'))).toBe(true));
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByText('Answer the dispute')).toBeNull();
  });

  it('reports every invalid field of the answer at once', async () => {
    expect(Object.keys(answerErrors('represent', { information: 'x'.repeat(5001), refund: 12900, files: 0 }, 12900, 5000)).sort()).toEqual([
      'additional_information',
      'attachments',
      'partner_proposed_refund_amount',
    ]);
    expect(answerErrors('appeal', { information: ' ', refund: '', files: 0 }, 12900, 10000)).toEqual({ additional_information: 'Say what the decision overlooked.' });
    renderActions(['represent', 'accept_loss']);
    await userEvent.click(await screen.findByRole('button', { name: 'Review' }));
    expect(await screen.findByText('Attach at least one file of evidence.')).toBeInTheDocument();
    expect(screen.getByText('Proof of delivery with tracking')).toBeInTheDocument();
  });

  it('asks before accepting the loss, stating the amount', async () => {
    const { api } = renderActions(['represent', 'accept_loss']);
    await userEvent.click(await screen.findByRole('button', { name: 'Accept the loss' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/You accept losing .*129[.,]00/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: /Accept losing/ }));
    await waitFor(() => expect(api.sent.some((r) => r.method === 'POST' && r.url.endsWith('/accept-loss'))).toBe(true));
  });

  it('takes the proposed refund in the currency and keeps it on the server in minor units', async () => {
    const { api } = renderActions(['represent', 'accept_loss']);
    const refund = await screen.findByRole('textbox', { name: /Propose a partial refund \(below .*129[.,]00\)/ });
    await userEvent.type(refund, '45.5');
    await waitFor(() => expect(api.sent.find((r) => r.method === 'PUT')?.body).toMatchObject({ partner_proposed_refund_amount: 4550 }), { timeout: 3000 });
    expect(screen.getByRole('button', { name: 'Add files' })).toBeInTheDocument();
  });
});
