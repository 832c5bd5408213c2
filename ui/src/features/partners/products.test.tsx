import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, partnerDetail, partners, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi } from '@/test/render';

type View = Schemas['PaymentProductView'];
type Offboarding = Schemas['Offboarding'];

const detail = partnerDetail(partners.aurora);
const product = detail.payment_product!;

type HistoryRow = View['history'][number];

const enabledRow: HistoryRow = {
        id: 'h1',
        kind: 'status',
        source: 'sync',
        status: 'ENABLED',
        previous_status: '',
        reason: '',
        actor: '',
        change_id: null,
        fulfilled_at: null,
        event_id: '',
        occurred_at: '2026-11-01T09:05:00Z',
};

function view(over: Partial<View> = {}): View {
  return { klarna_account_id: partners.aurora.klarna_account_id, product, offboarded: false, history: [enabledRow], ...over };
}

const change = (status: 'pending' | 'applied' | 'failed') => ({
  id: 'c1',
  kind: 'payment_product',
  operation: 'disable',
  resource_id: product.id,
  resource_ref: '',
  payload: { status: 'DISABLED', reason: 'Chargebacks' },
  reason: 'Chargebacks',
  status,
  attempts: 1,
  error: '',
  field_errors: [],
  requested_by: 'ada@acquirer.test',
  created_at: '2026-11-21T10:00:00Z',
  updated_at: '2026-11-21T10:00:00Z',
});

const productPath = `GET /tenants/${AURORA_ID}/partner/payment-product`;
const changesPath = `GET /tenants/${AURORA_ID}/partner/changes`;

describe('payment product tab', () => {
  it('disables only with a reason, says Klarna takes up to 10 minutes, and sends the reason', async () => {
    let disabled = false;
    const { sent } = stubApi({
      handlers: {
        [productPath]: () => jsonResponse(view()),
        [changesPath]: () => jsonResponse({ items: disabled ? [change('pending')] : [] }),
        [`POST /tenants/${AURORA_ID}/partner/payment-product/disable`]: () => {
          disabled = true;
          return jsonResponse(change('pending'), { status: 202 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp(`/partners/${AURORA_ID}?tab=products`);
    await user.click(await screen.findByRole('button', { name: 'Disable payment product' }));
    const dialog = await screen.findByRole('dialog', { name: 'Disable the payment product of Aurora Outfitters' });
    expect(within(dialog).getByText(/up to 10 minutes to take effect across Klarna/)).toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Disable payment product' }));
    expect(await within(dialog).findByText(/Say why/)).toBeInTheDocument();
    expect(sent.some((r) => r.method === 'POST')).toBe(false);

    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Chargebacks');
    await user.click(within(dialog).getByRole('button', { name: 'Disable payment product' }));
    await waitFor(() => expect(sent.some((r) => r.method === 'POST')).toBe(true));
    const post = sent.find((r) => r.method === 'POST');
    expect(post?.url).toBe(`/api/v1/tenants/${AURORA_ID}/partner/payment-product/disable`);
    expect(post?.body).toEqual({ reason: 'Chargebacks' });
    expect(post?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{32}$/);
    expect(await screen.findByText('A change is on its way to Klarna; wait until it is applied.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Disable payment product' })).toBeDisabled();
  });

  it("puts the server's reason error on the field", async () => {
    stubApi({
      handlers: {
        [productPath]: () => jsonResponse(view()),
        [changesPath]: () => jsonResponse({ items: [] }),
        [`POST /tenants/${AURORA_ID}/partner/payment-product/disable`]: () => problemResponse(400, 'invalid', 'Say why.', [{ field: 'reason', message: 'is required' }]),
      },
    });
    const user = userEvent.setup();
    renderApp(`/partners/${AURORA_ID}?tab=products`);
    await user.click(await screen.findByRole('button', { name: 'Disable payment product' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'x');
    await user.click(within(dialog).getByRole('button', { name: 'Disable payment product' }));
    expect(await within(dialog).findByText('is required')).toBeInTheDocument();
  });

  it('offers nothing on a TERMINATED product and says only Klarna can move it', async () => {
    stubApi({ handlers: { [productPath]: () => jsonResponse(view({ product: { ...product, status: 'TERMINATED' } })), [changesPath]: () => jsonResponse({ items: [] }) } });
    renderApp(`/partners/${AURORA_ID}?tab=products`);
    expect(await screen.findByText(/Only Klarna can change a terminated product/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /able payment product/ })).not.toBeInTheDocument();
  });

  it('lists payment accounts read-only with why, links Add payment account to the wizard, and shows who and why in the history', async () => {
    stubApi({
      handlers: {
        [productPath]: () =>
          jsonResponse(
            view({
              history: [
                { ...enabledRow, id: 'h3', source: 'webhook', status: 'DISABLED', previous_status: 'ENABLED', reason: 'Chargebacks', actor: 'ada@acquirer.test', occurred_at: '2026-11-21T10:01:00Z' },
                { ...enabledRow, id: 'h2', kind: 'request', source: 'partner_desk', status: 'DISABLED', previous_status: 'ENABLED', reason: 'Chargebacks', actor: 'ada@acquirer.test', fulfilled_at: '2026-11-21T10:01:00Z', occurred_at: '2026-11-21T10:00:00Z' },
                enabledRow,
              ],
            }),
          ),
        [changesPath]: () => jsonResponse({ items: [] }),
      },
    });
    renderApp(`/partners/${AURORA_ID}?tab=products`);
    const accounts = await screen.findByRole('table', { name: 'Payment accounts of the payment product' });
    expect(within(accounts).getByText('aurora-pa-1')).toBeInTheDocument();
    expect(within(accounts).queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.getByText(/Klarna makes every property of a payment account immutable/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Add payment account' })).toHaveAttribute('href', `/onboarding/new?partner=${AURORA_ID}&step=payment`);
    const history = screen.getByRole('table', { name: 'Payment product history' });
    expect(within(history).getByText('Disable requested')).toBeInTheDocument();
    expect(within(history).getByText('Klarna webhook')).toBeInTheDocument();
    expect(within(history).getAllByText('Chargebacks')).toHaveLength(2);
  });

  it('shows no disable button without product:manage', async () => {
    stubApi({ me: personas.merchantAdmin, handlers: { [productPath]: () => jsonResponse(view()), [changesPath]: () => jsonResponse({ items: [] }) } });
    renderApp(`/partners/${AURORA_ID}?tab=products`);
    expect(await screen.findByRole('table', { name: 'Payment accounts of the payment product' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Disable payment product' })).not.toBeInTheDocument();
  });
});

const steps = (s: Array<[Schemas['OffboardingStep']['status'], string?]>): Offboarding['steps'] =>
  (['disable_payment_products', 'disable_credentials', 'revoke_user_access', 'mark_offboarded'] as const).map((name, i) => {
    const [status, error = ''] = s[i] ?? ['pending'];
    return {
      name,
      status,
      error,
      result: name === 'disable_payment_products' && status === 'done' ? { changes: ['c1'] } : {},
      attempts: status === 'pending' ? 0 : 1,
      started_at: status === 'pending' ? null : '2026-11-21T10:00:00Z',
      finished_at: status === 'done' || status === 'failed' ? '2026-11-21T10:00:05Z' : null,
    };
  });

const offboarding = (status: Offboarding['status'], st: Offboarding['steps'], reason = 'Contract ended'): Offboarding => ({
  id: status === 'not_started' ? null : 'o1',
  status,
  reason: status === 'not_started' ? '' : reason,
  steps: st,
  requested_by: status === 'not_started' ? '' : 'ada@acquirer.test',
  runs: 1,
  created_at: '2026-11-21T10:00:00Z',
  updated_at: '2026-11-21T10:00:00Z',
  completed_at: status === 'completed' ? '2026-11-21T10:01:00Z' : null,
});

const offboardingPath = `GET /tenants/${AURORA_ID}/partner/offboarding`;

describe('offboarding tab', () => {
  it('lists the steps, starts only with a reason, and shows each step’s result as it runs', async () => {
    let state = offboarding('not_started', steps([['pending'], ['pending'], ['pending'], ['pending']]));
    const { sent } = stubApi({
      handlers: {
        [offboardingPath]: () => jsonResponse(state),
        [`POST /tenants/${AURORA_ID}/partner/offboarding`]: () => {
          state = offboarding('running', steps([['done'], ['running'], ['pending'], ['pending']]));
          return jsonResponse(state, { status: 202 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp(`/partners/${AURORA_ID}?tab=offboarding`);
    const list = await screen.findByRole('list', { name: 'Offboarding steps' });
    expect(within(list).getByRole('listitem', { name: 'Step 1: Disable the payment products — Pending' })).toBeInTheDocument();
    expect(within(list).getByRole('listitem', { name: "Step 3: Revoke the partner's users' access — Pending" })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Offboard partner' }));
    const dialog = await screen.findByRole('dialog', { name: 'Offboard Aurora Outfitters' });
    await user.click(within(dialog).getByRole('button', { name: 'Offboard partner' }));
    expect(await within(dialog).findByText(/Say why/)).toBeInTheDocument();
    expect(sent.some((r) => r.method === 'POST')).toBe(false);
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Contract ended');
    await user.click(within(dialog).getByRole('button', { name: 'Offboard partner' }));
    await waitFor(() => expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ reason: 'Contract ended' }));
    expect(await screen.findByRole('listitem', { name: 'Step 1: Disable the payment products — Done' })).toBeInTheDocument();
    expect(screen.getByText('Klarna applied 1 change.')).toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: 'Step 2: Disable API keys and client identifiers — Running' })).toBeInTheDocument();
  });

  it('shows a failed step with its error and resumes from it', async () => {
    let state = offboarding('failed', steps([['done'], ['failed', 'Klarna answered 500 INTERNAL_ERROR'], ['pending'], ['pending']]));
    const { sent } = stubApi({
      handlers: {
        [offboardingPath]: () => jsonResponse(state),
        [`POST /tenants/${AURORA_ID}/partner/offboarding/resume`]: () => {
          state = offboarding('completed', steps([['done'], ['done'], ['done'], ['done']]));
          return jsonResponse(state, { status: 202 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp(`/partners/${AURORA_ID}?tab=offboarding`);
    const failed = await screen.findByRole('listitem', { name: 'Step 2: Disable API keys and client identifiers — Failed' });
    expect(within(failed).getByText('Klarna answered 500 INTERNAL_ERROR')).toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: 'Step 1: Disable the payment products — Done' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Offboard partner' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(sent.some((r) => r.method === 'POST' && r.url === `/api/v1/tenants/${AURORA_ID}/partner/offboarding/resume`)).toBe(true));
    expect(await screen.findByText(/Offboarded .* by ada@acquirer.test/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Resume' })).not.toBeInTheDocument();
  });

  it('is not offered without product:manage', async () => {
    stubApi({ me: personas.acquirerSupport });
    renderApp(`/partners/${AURORA_ID}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Aurora Outfitters' })).toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Offboarding' })).not.toBeInTheDocument();
  });
});
