import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AURORA_ID, BOREALIS_ID, personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi, type SentRequest } from '@/test/render';
import { attachmentIdFromUrl, timeLeft, urgency, type DisputeDetail, type DisputeSummary } from './api/disputes';

const HOUR = 3600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
const DISPUTE_A = 'krn:network:eu1:test:payment:dispute:1001';
const DISPUTE_B = 'krn:network:eu1:test:payment:dispute:1002';
const DISPUTE_C = 'krn:network:eu1:test:payment:dispute:1003';
const DISPUTE_D = 'krn:network:eu1:test:payment:dispute:1004';
// The client puts ids in paths encoded (the stub matches the path as sent).
const ENC_A = encodeURIComponent(DISPUTE_A);

function summary(over: Partial<DisputeSummary> & Pick<DisputeSummary, 'id'>): DisputeSummary {
  return {
    tenant_id: AURORA_ID,
    partner_name: 'Aurora Outfitters',
    state: 'INITIATED',
    previous_state: '',
    reason: 'PRODUCTS_OR_SERVICES_NOT_RECEIVED',
    amount: 129900,
    currency: 'SEK',
    deadline_at: inHours(200),
    outcome: '',
    opened_at: '2026-11-20T10:00:00Z',
    closed_at: null,
    updated_at: '2026-11-20T10:00:00Z',
    assignee: null,
    order_id: 'order-1',
    payment_transaction_id: 'krn:payment:eu1:authorization:1',
    purchase_reference: 'NLO-1',
    payment_account_id: 'krn:partner:global:payment-account:test:aurora-1',
    ...over,
  };
}

const queue = [
  summary({ id: DISPUTE_A, deadline_at: inHours(10) }),
  summary({ id: DISPUTE_B, deadline_at: inHours(48), tenant_id: BOREALIS_ID, partner_name: 'Borealis Bikes', reason: 'SOMETHING_NEW', amount: 5000, currency: 'EUR' }),
  summary({ id: DISPUTE_C, deadline_at: inHours(-2), assignee: { id: 'user-sam', name: 'Sam Support', email: 'sam@acquirer.test' } }),
  summary({ id: DISPUTE_D, deadline_at: inHours(200) }),
];

const counts = { expires_soon: 3, needs_action: 4, waiting: 2, closed: 7, all: 13 };

function list() {
  return jsonResponse({ items: queue, next_cursor: '', counts });
}

const params = (req: SentRequest) => new URL(req.url, 'http://x').searchParams;

describe('time left', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const at = (h: number) => new Date(now + h * HOUR).toISOString();
  it('turns amber under 72 h, red under 24 h and Expired at the deadline', () => {
    expect(urgency(at(72), now)).toBe('later');
    expect(urgency(at(71.9), now)).toBe('soon');
    expect(urgency(at(24), now)).toBe('soon');
    expect(urgency(at(23.9), now)).toBe('day');
    expect(urgency(at(0), now)).toBe('expired');
    expect(timeLeft(at(0), now)).toBe('Expired');
    expect(timeLeft(at(49.5), now)).toBe('2 d 1 h');
    expect(timeLeft(at(5.25), now)).toBe('5 h 15 min');
    expect(timeLeft(at(0.5), now)).toBe('30 min');
  });
  it('finds the attachment id in a Klarna download url', () => {
    expect(attachmentIdFromUrl('https://api.klarna.test/v4/payment/disputes/d:1/attachments/d:1:attachment:2/download')).toBe('d:1:attachment:2');
    expect(attachmentIdFromUrl(undefined)).toBeUndefined();
    expect(attachmentIdFromUrl('https://x.test/not-a-download')).toBeUndefined();
  });
});

describe('dispute queue', () => {
  it('shows each view with its count, and time left amber under 72 h, red under 24 h, Expired after', async () => {
    stubApi({ me: personas.acquirerSupport, handlers: { 'GET /disputes': list, 'GET /views': () => jsonResponse([]) } });
    renderApp('/disputes');
    const table = await screen.findByRole('table', { name: 'Disputes' });
    const views = screen.getByRole('tablist', { name: 'Dispute views' });
    expect(within(views).getByRole('tab', { name: /Needs action\s*4/ })).toHaveAttribute('aria-selected', 'true');
    expect(within(views).getByRole('tab', { name: /Expires soon\s*3/ })).toBeInTheDocument();
    expect(within(views).getByRole('tab', { name: /Waiting on Klarna\s*2/ })).toBeInTheDocument();
    expect(within(views).getByRole('tab', { name: /Closed\s*7/ })).toBeInTheDocument();
    expect(within(views).getByRole('tab', { name: /All\s*13/ })).toBeInTheDocument();

    const row = (id: string) => table.querySelector(`tr[data-dispute="${id}"]`) as HTMLElement;
    const badge = (id: string) => row(id).querySelector('[data-urgency]');
    expect(badge(DISPUTE_A)).toHaveAttribute('data-urgency', 'day');
    expect(badge(DISPUTE_B)).toHaveAttribute('data-urgency', 'soon');
    expect(badge(DISPUTE_C)).toHaveAttribute('data-urgency', 'expired');
    expect(badge(DISPUTE_C)).toHaveTextContent('Expired');
    expect(badge(DISPUTE_D)).toHaveAttribute('data-urgency', 'later');
    expect(badge(DISPUTE_D)?.textContent).toMatch(/^8 d( \d+ h)?$/);

    // The reason in plain words, an unknown one as Klarna sends it; the partner; the amount with its currency.
    expect(within(row(DISPUTE_A)).getByText('Not received')).toBeInTheDocument();
    expect(within(row(DISPUTE_B)).getByText('SOMETHING_NEW')).toBeInTheDocument();
    expect(within(row(DISPUTE_B)).getByText('Borealis Bikes')).toBeInTheDocument();
    expect(within(row(DISPUTE_B)).getByText(/50[.,]00/)).toHaveTextContent(/€|EUR/);
    expect(within(row(DISPUTE_C)).getByText('Sam Support')).toBeInTheDocument();
    expect(within(table).getByRole('columnheader', { name: 'Partner' })).toBeInTheDocument();
  });

  it('puts the view, the filters and "Assigned to me" in the address, the request and the export', async () => {
    const { sent } = stubApi({ me: personas.acquirerSupport, handlers: { 'GET /disputes': list, 'GET /views': () => jsonResponse([]) } });
    const user = userEvent.setup();
    const { router } = renderApp('/disputes');
    await screen.findByRole('table', { name: 'Disputes' });

    await user.click(screen.getByRole('tab', { name: /Expires soon/ }));
    await waitFor(() => expect(router.state.location.search).toBe('?view=expires_soon'));

    const form = screen.getByRole('form', { name: 'Dispute filters' });
    await user.click(within(form).getByRole('combobox', { name: 'States' }));
    await user.click(await screen.findByRole('option', { name: 'Initiated' }));
    await user.click(await screen.findByRole('option', { name: 'Pre arbitration' }));
    await user.click(within(form).getByRole('combobox', { name: 'Partners' }));
    await user.click(await screen.findByRole('option', { name: 'Borealis Bikes' }));
    await user.type(within(form).getByRole('textbox', { name: 'Amount from' }), '12.5');
    await user.type(within(form).getByRole('searchbox', { name: 'Search' }), 'NLO-1');
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => {
      const p = new URLSearchParams(router.state.location.search);
      expect(Object.fromEntries(p)).toEqual({ view: 'expires_soon', state: 'INITIATED,PRE_ARBITRATION', partner: BOREALIS_ID, amount_min: '1250', q: 'NLO-1' });
    });
    await waitFor(() => {
      const last = params(sent.filter((r) => r.url.startsWith('/api/v1/disputes?')).at(-1)!);
      expect(last.get('view')).toBe('expires_soon');
      expect(last.getAll('state')).toEqual(['INITIATED', 'PRE_ARBITRATION']);
      expect(last.get('partner')).toBe(BOREALIS_ID);
      expect(last.get('amount_min')).toBe('1250');
      expect(last.get('q')).toBe('NLO-1');
    });
    const exportHref = screen.getByRole('link', { name: /Export/ }).getAttribute('href') ?? '';
    expect(exportHref.startsWith('/api/v1/disputes/export.csv?')).toBe(true);
    const exported = new URLSearchParams(exportHref.split('?')[1]);
    expect(exported.getAll('state')).toEqual(['INITIATED', 'PRE_ARBITRATION']);
    expect(Object.fromEntries(exported)).toMatchObject({ view: 'expires_soon', partner: BOREALIS_ID, q: 'NLO-1' });

    await user.click(screen.getByRole('button', { name: 'Assigned to me' }));
    await waitFor(() => expect(new URLSearchParams(router.state.location.search).get('assignee')).toBe('me'));
    expect(screen.getByRole('button', { name: 'Assigned to me' })).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => expect(params(sent.filter((r) => r.url.startsWith('/api/v1/disputes?')).at(-1)!).get('assignee')).toBe('me'));
  });

  it('saves the current view under a name and opens a saved one', async () => {
    const saved = [{ id: 'v1', list: 'disputes', name: 'Borealis closed', query: `view=closed&partner=${BOREALIS_ID}`, created_at: '2026-11-20T10:00:00Z' }];
    const { sent } = stubApi({
      me: personas.acquirerSupport,
      handlers: {
        'GET /disputes': list,
        'GET /views': () => jsonResponse(saved),
        'POST /views': (req) => jsonResponse({ id: 'v2', ...(req.body as object) }, { status: 201 }),
      },
    });
    const user = userEvent.setup();
    const { router } = renderApp('/disputes?view=waiting&state=REPRESENTMENT');
    await screen.findByRole('table', { name: 'Disputes' });

    await user.click(screen.getByRole('button', { name: 'Save view' }));
    await user.type(await screen.findByRole('textbox', { name: 'Name of the view' }), 'Under review');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(sent.some((r) => r.method === 'POST' && r.url === '/api/v1/views')).toBe(true));
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ list: 'disputes', name: 'Under review', query: 'view=waiting&state=REPRESENTMENT' });

    await user.click(await screen.findByRole('button', { name: /Saved views/ }));
    await user.click(await screen.findByRole('menuitem', { name: 'Borealis closed' }));
    await waitFor(() => expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({ view: 'closed', partner: BOREALIS_ID }));
  });

  it('lists a merchant its own disputes without a partner column or filter', async () => {
    stubApi({ me: personas.merchantDisputes, handlers: { 'GET /disputes': list, 'GET /views': () => jsonResponse([]) } });
    renderApp('/disputes');
    const table = await screen.findByRole('table', { name: 'Disputes' });
    expect(within(table).queryByRole('columnheader', { name: 'Partner' })).not.toBeInTheDocument();
    expect(within(screen.getByRole('form', { name: 'Dispute filters' })).queryByRole('combobox', { name: 'Partner' })).not.toBeInTheDocument();
  });
});

function detail(over: Partial<DisputeDetail> = {}): DisputeDetail {
  return {
    ...summary({ id: DISPUTE_A, deadline_at: inHours(30) }),
    representment_state: 'EVIDENCE_REQUESTED',
    outcome_detailed: '',
    answered_at: null,
    read_at: '2026-11-20T10:05:00Z',
    klarna_account_id: 'krn:partner:global:account:test:aurora',
    actions: ['represent', 'accept_loss'],
    object: {
      payment_dispute_id: DISPUTE_A,
      capture_id: 'acq-cap-1',
      payment_capture_id: 'krn:payment:eu1:transaction:1:capture:1',
      representment: { state: 'EVIDENCE_REQUESTED', request: { additional_information: 'Provide carrier tracking.' } },
      customer_evidences: [
        {
          payment_dispute_customer_evidence_id: `${DISPUTE_A}:customer-evidence:1`,
          attachment: { description: 'Tracking screenshot', mime_type: 'image/png', url: `https://api.klarna.test/v4/payment/disputes/${DISPUTE_A}/attachments/${DISPUTE_A}:attachment:9/download` },
        },
        { payment_dispute_customer_evidence_id: `${DISPUTE_A}:customer-evidence:2`, attachment: { description: 'Chat log' } },
      ],
    },
    timeline: [
      { at: '2026-11-20T10:00:00Z', kind: 'webhook', state: 'INITIATED', summary: 'Dispute opened by the customer', actor: 'Klarna' },
      { at: '2026-11-20T11:00:00Z', kind: 'assignment', state: 'INITIATED', summary: 'Assigned to Sam Support', actor: 'Ada Admin' },
    ],
    ...over,
  };
}

const download = (id: string) => `/api/v1/disputes/${encodeURIComponent(DISPUTE_A)}/attachments/${encodeURIComponent(id)}/download`;

describe("a dispute's page", () => {
  it('shows the reason, deadline, references, the customer evidence as downloads and the timeline with who and when', async () => {
    stubApi({
      me: personas.acquirerSupport,
      handlers: {
        [`GET /disputes/${ENC_A}`]: () => jsonResponse(detail()),
        [`GET /disputes/${ENC_A}/assignees`]: () => jsonResponse([{ id: 'user-sam', name: 'Sam Support', email: 'sam@acquirer.test' }]),
      },
    });
    renderApp(`/disputes/${encodeURIComponent(DISPUTE_A)}`);
    expect(await screen.findByRole('heading', { level: 1, name: /Not received/ })).toBeInTheDocument();
    const summaryBox = screen.getByRole('region', { name: 'Summary' });
    expect(within(summaryBox).getAllByText('The customer says the goods or service never arrived.').length).toBeGreaterThan(0);
    expect(within(summaryBox).getByText('Representment: Evidence requested')).toBeInTheDocument();
    expect(summaryBox.querySelector('[data-urgency]')).toHaveAttribute('data-urgency', 'soon');
    expect(within(summaryBox).getByRole('link', { name: 'Aurora Outfitters' })).toHaveAttribute('href', `/partners/${AURORA_ID}`);
    expect(within(summaryBox).getByText(/Provide carrier tracking/)).toBeInTheDocument();
    expect(within(summaryBox).queryByText('Outcome')).not.toBeInTheDocument();

    const tx = screen.getByRole('region', { name: 'Transaction' });
    expect(within(tx).getByText('acq-cap-1')).toBeInTheDocument();
    expect(within(tx).getByText('krn:payment:eu1:transaction:1:capture:1')).toBeInTheDocument();
    expect(within(tx).getByText('NLO-1')).toBeInTheDocument();

    const evidence = screen.getByRole('region', { name: "Customer's evidence" });
    // The attachment id from the url; without a url, the evidence id.
    expect(within(evidence).getByRole('link', { name: 'Tracking screenshot' })).toHaveAttribute('href', download(`${DISPUTE_A}:attachment:9`));
    expect(within(evidence).getByRole('link', { name: 'Chat log' })).toHaveAttribute('href', download(`${DISPUTE_A}:customer-evidence:2`));
    expect(within(screen.getByRole('region', { name: 'Submitted evidence' })).getByText('Nothing has been submitted to Klarna.')).toBeInTheDocument();

    const timeline = screen.getByRole('region', { name: 'Timeline' });
    expect(within(timeline).getByText('Dispute opened by the customer')).toBeInTheDocument();
    expect(within(timeline).getByText(/· Klarna/)).toBeInTheDocument();
    expect(within(timeline).getByText(/· Ada Admin/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Re-read from Klarna' })).toBeInTheDocument();
  });

  it('assigns the dispute and re-reads it from Klarna', async () => {
    const { sent } = stubApi({
      me: personas.acquirerSupport,
      handlers: {
        [`GET /disputes/${ENC_A}`]: () => jsonResponse(detail()),
        [`GET /disputes/${ENC_A}/assignees`]: () => jsonResponse([{ id: 'user-sam', name: 'Sam Support', email: 'sam@acquirer.test' }]),
        [`PUT /disputes/${ENC_A}/assignee`]: () => new Response(null, { status: 204 }),
        [`POST /disputes/${ENC_A}/refresh`]: () => jsonResponse(detail()),
      },
    });
    const user = userEvent.setup();
    renderApp(`/disputes/${encodeURIComponent(DISPUTE_A)}`);
    await user.click(await screen.findByRole('combobox', { name: 'Assignee' }));
    await user.click(await screen.findByRole('option', { name: 'Sam Support' }));
    await waitFor(() => expect(sent.find((r) => r.method === 'PUT')?.body).toEqual({ user_id: 'user-sam' }));
    await user.click(screen.getByRole('button', { name: 'Re-read from Klarna' }));
    await waitFor(() => expect(sent.some((r) => r.method === 'POST' && r.url.endsWith('/refresh'))).toBe(true));
  });

  it('shows a closed dispute its outcome as Klarna sends it, the submitted evidence, and no deadline; a reader gets no assignee picker or re-read', async () => {
    const closed = detail({
      state: 'CLOSED',
      previous_state: 'REPRESENTMENT',
      representment_state: 'EVIDENCE_RECEIVED',
      deadline_at: null,
      outcome: 'WON',
      outcome_detailed: 'PARTNER_PROVIDED_VALID_SHIPPING_DETAILS',
      closed_at: '2026-11-25T10:00:00Z',
      actions: [],
      assignee: { id: 'user-sam', name: 'Sam Support', email: 'sam@acquirer.test' },
      object: {
        state_context: { dispute_outcome: 'WON' },
        representment: {
          state: 'EVIDENCE_RECEIVED',
          partner_evidence: {
            created_at: '2026-11-21T10:00:00Z',
            additional_information: 'Delivered to the door, signed.',
            attachments: [{ payment_dispute_attachment_id: `${DISPUTE_A}:attachment:3`, description: 'Proof of delivery', mime_type: 'application/pdf' }],
          },
        },
      },
    });
    stubApi({ me: personas.auditor, handlers: { [`GET /disputes/${ENC_A}`]: () => jsonResponse(closed) } });
    renderApp(`/disputes/${encodeURIComponent(DISPUTE_A)}`);
    const summaryBox = await screen.findByRole('region', { name: 'Summary' });
    expect(within(summaryBox).getByText('Won')).toBeInTheDocument();
    expect(within(summaryBox).getByText('PARTNER_PROVIDED_VALID_SHIPPING_DETAILS')).toBeInTheDocument();
    expect(within(summaryBox).queryByText('Deadline')).not.toBeInTheDocument();
    expect(summaryBox.querySelector('[data-urgency]')).toBeNull();
    const submitted = screen.getByRole('region', { name: 'Submitted evidence' });
    expect(within(submitted).getByText('Delivered to the door, signed.')).toBeInTheDocument();
    expect(within(submitted).getByRole('link', { name: 'Proof of delivery' })).toHaveAttribute('href', download(`${DISPUTE_A}:attachment:3`));
    expect(screen.queryByRole('combobox', { name: 'Assignee' })).not.toBeInTheDocument();
    expect(screen.getByText('Sam Support')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Re-read from Klarna' })).not.toBeInTheDocument();
  });
});
