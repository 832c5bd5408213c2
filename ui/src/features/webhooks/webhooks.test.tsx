import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { browser } from '@/lib/browser';
import { PENDING_KEY } from '@/lib/stepUp';
import { NO_HANDLER_NOTE } from './api/webhooks';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, BOREALIS_ID, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';

type Ev = Schemas['WebhookEvent'];
type Detail = Schemas['WebhookEventDetail'];

function event(id: number, type: string, status: Ev['status'], extra: Partial<Ev> = {}): Ev {
  return {
    id,
    event_id: `evt-${id}`,
    event_type: type,
    event_version: 'v1',
    occurred_at: `2026-11-21T09:0${id}:00Z`,
    received_at: `2026-11-21T09:0${id}:01Z`,
    processed_at: status === 'processed' ? `2026-11-21T09:0${id}:02Z` : null,
    subject_account_id: 'krn:partner:global:account:test:AURORA01',
    tenant_id: AURORA_ID,
    tenant_name: 'Aurora Outfitters',
    status,
    attempts: 1,
    duplicates: 0,
    last_error: '',
    note: '',
    ...extra,
  };
}

const DISPUTE = event(3, 'payment.dispute.state-change.initiated', 'processed', { duplicates: 2 });
const FAILED = event(2, 'payment.dispute.state-change.closed', 'dead_lettered', {
  attempts: 3,
  last_error: 'dispute sync: klarna: 503 SERVICE_UNAVAILABLE after 3 tries',
  tenant_id: BOREALIS_ID,
  tenant_name: 'Borealis Bikes',
});
const SETTLEMENT = event(1, 'settlement.report.created', 'parked', { tenant_id: null, tenant_name: undefined, note: 'waiting for account X to be linked to a partner' });

function detail(ev: Ev, attempts: Detail['attempts_log']): Detail {
  return {
    ...ev,
    payload: { metadata: { event_id: ev.event_id, event_type: ev.event_type, correlation_id: 'corr-77' }, payload: { payment_dispute_id: 'krn:dispute:9' } },
    raw_size: 612,
    verification: { signing_key_id: 'key-2026-11', result: 'verified' },
    attempts_log: attempts,
    related: { tenant_id: ev.tenant_id, tenant_name: ev.tenant_name, klarna_account_id: ev.subject_account_id, dispute_id: 'krn:dispute:9', correlation_id: 'corr-77' },
  };
}

const FAILED_DETAIL = detail(FAILED, [1, 2, 3].map((n) => ({
  attempt: n,
  started_at: `2026-11-21T09:1${n}:00Z`,
  finished_at: `2026-11-21T09:1${n}:01Z`,
  outcome: n === 3 ? 'dead_lettered' : 'failed',
  error: `dispute sync: klarna: 503 SERVICE_UNAVAILABLE (try ${n})`,
  worker: `host-a/${n}`,
})));

const query = (req: SentRequest) => new URL(req.url, 'http://x').searchParams;

/** /webhooks/events in pages of two, keyset by cursor. */
function inbox(req: SentRequest) {
  if (query(req).get('cursor') === 'after-2') return jsonResponse({ items: [SETTLEMENT], next_cursor: null });
  return jsonResponse({ items: [DISPUTE, FAILED], next_cursor: 'after-2' });
}

const listRequests = (sent: SentRequest[]) => sent.filter((r) => r.url.startsWith('/api/v1/webhooks/events')).map((r) => r.url);

describe('webhooks inbox', () => {
  it('lists events with status, partner and the last error, and pages with "Load more"', async () => {
    const { sent } = stubApi({ handlers: { 'GET /webhooks/events': inbox } });
    const user = userEvent.setup();
    renderApp('/webhooks');
    const table = await screen.findByRole('table', { name: 'Webhook events' });
    const failedRow = within(table).getByRole('row', { name: /payment\.dispute\.state-change\.closed/ });
    expect(failedRow).toHaveTextContent('Borealis Bikes');
    expect(failedRow).toHaveTextContent('dead-lettered');
    expect(failedRow).toHaveTextContent('503 SERVICE_UNAVAILABLE');

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('3 events — that is all.')).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: /settlement\.report\.created/ })).toHaveTextContent('waiting for account X');
    expect(listRequests(sent)).toEqual(['/api/v1/webhooks/events?limit=50', '/api/v1/webhooks/events?cursor=after-2&limit=50']);
  });

  it('shows "no handler", not a green "processed", for an event nothing handled', async () => {
    const unhandled = event(4, 'partner.account.brand.logo-updated', 'processed', { note: NO_HANDLER_NOTE });
    stubApi({
      handlers: {
        'GET /webhooks/events': () => jsonResponse({ items: [unhandled, DISPUTE], next_cursor: null }),
        'GET /webhooks/events/4': () => jsonResponse(detail(unhandled, [])),
      },
    });
    const user = userEvent.setup();
    renderApp('/webhooks');
    const table = await screen.findByRole('table', { name: 'Webhook events' });
    const row = within(table).getByRole('row', { name: /logo-updated/ });
    const badge = within(row).getByText('no handler');
    expect(badge.closest('[data-status]')).toHaveAttribute('data-status', 'no_handler');
    expect(within(row).queryByText('processed')).not.toBeInTheDocument();
    // A handled event still reads "processed".
    const handled = within(table).getByRole('row', { name: /state-change\.initiated/ });
    expect(within(handled).getByText('processed').closest('[data-status]')).toHaveAttribute('data-status', 'processed');

    await user.click(within(row).getByRole('link', { name: 'partner.account.brand.logo-updated' }));
    expect(await screen.findByTestId('event-status')).toHaveTextContent('no handler');
  });

  it('puts the filters into the address and the request, partner by slug in one and id in the other', async () => {
    const { sent } = stubApi({ handlers: { 'GET /webhooks/events': inbox } });
    const user = userEvent.setup();
    const { router } = renderApp('/webhooks');
    await screen.findByRole('table', { name: 'Webhook events' });

    const form = screen.getByRole('form', { name: 'Webhook filters' });
    await user.type(within(form).getByRole('textbox', { name: 'Type' }), 'payment.dispute.');
    await user.click(within(form).getByRole('combobox', { name: 'Partner' }));
    await user.click(await screen.findByRole('option', { name: 'Aurora Outfitters' }));
    await user.click(within(form).getByRole('combobox', { name: 'Status' }));
    await user.click(await screen.findByRole('option', { name: 'failed' }));
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => expect(router.state.location.search).toBe('?type=payment.dispute.&partner=aurora&status=failed'));
    await waitFor(() => expect(listRequests(sent).at(-1)).toBe(`/api/v1/webhooks/events?type=payment.dispute.&tenant=${AURORA_ID}&status=failed&limit=50`));
  });

  it('reads the filters of a shared link into the form and the request', async () => {
    const { sent } = stubApi({ handlers: { 'GET /webhooks/events': inbox } });
    renderApp('/webhooks?type=settlement.&partner=borealis&from=2026-11-20T08%3A00%3A00Z');
    await screen.findByRole('table', { name: 'Webhook events' });
    const form = screen.getByRole('form', { name: 'Webhook filters' });
    expect(within(form).getByRole('textbox', { name: 'Type' })).toHaveValue('settlement.');
    expect(within(form).getByRole('combobox', { name: 'Partner' })).toHaveValue('Borealis Bikes');
    expect(listRequests(sent)).toEqual([`/api/v1/webhooks/events?type=settlement.&tenant=${BOREALIS_ID}&from=2026-11-20T08%3A00%3A00Z&limit=50`]);
  });

  it('switches to the quarantine list for status "quarantined"', async () => {
    const { sent } = stubApi({
      handlers: {
        'GET /webhooks/events': inbox,
        'GET /webhooks/quarantine': () =>
          jsonResponse({
            items: [
              { id: 9, received_at: '2026-11-21T08:00:00Z', reason: 'bad_signature', signing_key_id: 'key-old', remote_ip: '203.0.113.7', body_size: 2300, body_preview: '{"metadata":{"event_type":"payment.dispute' },
            ],
            next_cursor: null,
          }),
      },
    });
    const user = userEvent.setup();
    const { router } = renderApp('/webhooks');
    await screen.findByRole('table', { name: 'Webhook events' });
    const form = screen.getByRole('form', { name: 'Webhook filters' });
    await user.click(within(form).getByRole('combobox', { name: 'Status' }));
    await user.click(await screen.findByRole('option', { name: 'quarantined' }));
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));

    const table = await screen.findByRole('table', { name: 'Quarantined deliveries' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(row).toHaveTextContent('bad signature');
    expect(row).toHaveTextContent('key-old');
    expect(row).toHaveTextContent('203.0.113.7');
    expect(row).toHaveTextContent('2.2 KB');
    expect(row).toHaveTextContent('{"metadata":{"event_type":"payment.dispute');
    expect(router.state.location.search).toBe('?status=quarantined');
    expect(sent.at(-1)?.url).toBe('/api/v1/webhooks/quarantine?limit=50');
    // Quarantined deliveries are not events: nothing to replay.
    expect(screen.queryByRole('button', { name: 'Replay matching…' })).not.toBeInTheDocument();
  });

  it('replays all matching events after confirming, with the filter and an Idempotency-Key', async () => {
    const { sent } = stubApi({
      handlers: {
        'GET /webhooks/events': (req) => jsonResponse({ items: query(req).get('status') ? [FAILED] : [DISPUTE, FAILED], next_cursor: null }),
        'POST /webhooks/replay': () => jsonResponse({ replayed: 1 }, { status: 202 }),
      },
    });
    const user = userEvent.setup();
    renderApp('/webhooks?status=dead_lettered&partner=borealis');
    await screen.findByRole('table', { name: 'Webhook events' });
    await user.click(screen.getByRole('button', { name: 'Replay matching…' }));

    const dialog = await screen.findByRole('dialog', { name: 'Replay matching events' });
    expect(within(dialog).getByText('partner Borealis Bikes')).toBeInTheDocument();
    expect(within(dialog).getByText('status dead-lettered')).toBeInTheDocument();
    expect(within(dialog).getByTestId('replay-scope')).toHaveTextContent('1 event matches these filters.');
    expect(sent.some((r) => r.method === 'POST')).toBe(false);

    await user.click(within(dialog).getByRole('button', { name: 'Replay events' }));
    expect(await screen.findByText('1 event will be processed again.')).toBeInTheDocument();
    const post = sent.find((r) => r.method === 'POST')!;
    expect(post.url).toBe('/api/v1/webhooks/replay');
    expect(post.body).toEqual({ tenant: BOREALIS_ID, status: 'dead_lettered' });
    expect(post.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{32}$/);
    expect(post.headers.get('X-CSRF-Token')).toBe('csrf-from-me');
  });

  it('says the replay covers more than the loaded events when there are more pages', async () => {
    stubApi({ handlers: { 'GET /webhooks/events': inbox } });
    const user = userEvent.setup();
    renderApp('/webhooks');
    await screen.findByRole('table', { name: 'Webhook events' });
    await user.click(screen.getByRole('button', { name: 'Replay matching…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Replay matching events' });
    expect(within(dialog).getByText('No filter set')).toBeInTheDocument();
    expect(within(dialog).getByTestId('replay-scope')).toHaveTextContent('More than 2 events match these filters');
    expect(within(dialog).getByTestId('replay-scope')).toHaveTextContent('up to 10 000');
  });

  it('offers no replay without webhook:replay', async () => {
    stubApi({ me: personas.auditor, handlers: { 'GET /webhooks/events': inbox, 'GET /webhooks/events/2': () => jsonResponse(FAILED_DETAIL) } });
    const user = userEvent.setup();
    renderApp('/webhooks');
    const table = await screen.findByRole('table', { name: 'Webhook events' });
    expect(screen.queryByRole('button', { name: 'Replay matching…' })).not.toBeInTheDocument();
    await user.click(within(table).getByRole('link', { name: 'payment.dispute.state-change.closed' }));
    await screen.findByRole('table', { name: 'Processing attempts' });
    expect(screen.queryByRole('button', { name: 'Replay' })).not.toBeInTheDocument();
  });

  it('is not shown without webhook:read', async () => {
    stubApi({ me: personas.merchantAdmin });
    renderApp('/webhooks');
    expect(await screen.findByText('You don’t have access to this page')).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: /^Webhooks/ })).not.toBeInTheDocument();
  });
});

describe('webhook event detail', () => {
  it('shows the payload, verification, related objects, every attempt and the last error prominently', async () => {
    stubApi({ handlers: { 'GET /webhooks/events/2': () => jsonResponse(FAILED_DETAIL) } });
    renderApp('/webhooks/2');
    const attempts = await screen.findByRole('table', { name: 'Processing attempts' });
    expect(within(attempts).getAllByRole('row')).toHaveLength(4);
    expect(within(attempts).getAllByRole('row')[3]).toHaveTextContent('dead_lettered');
    expect(within(attempts).getAllByRole('row')[3]).toHaveTextContent('host-a/3');

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Dead-lettered: processing gave up');
    expect(alert).toHaveTextContent('dispute sync: klarna: 503 SERVICE_UNAVAILABLE after 3 tries');

    expect(screen.getByLabelText('Payload (JSON)').textContent).toBe(JSON.stringify(FAILED_DETAIL.payload, null, 2));
    const verification = screen.getByRole('region', { name: 'Verification' });
    expect(verification).toHaveTextContent('verified');
    expect(verification).toHaveTextContent('key-2026-11');
    const related = screen.getByRole('region', { name: 'Related' });
    expect(related).toHaveTextContent('Borealis Bikes');
    expect(related).toHaveTextContent('krn:dispute:9');
    expect(related).toHaveTextContent('corr-77');
    expect(related).toHaveTextContent('krn:partner:global:account:test:AURORA01');
  });

  it('replays after confirming and shows the event again as it is processed', async () => {
    let replayed = false;
    const processed = detail({ ...FAILED, status: 'processed', attempts: 4, last_error: '' }, [
      ...FAILED_DETAIL.attempts_log,
      { attempt: 4, started_at: '2026-11-21T10:00:00Z', finished_at: '2026-11-21T10:00:01Z', outcome: 'processed', error: '', worker: 'host-b/1' },
    ]);
    const { sent } = stubApi({
      handlers: {
        'GET /webhooks/events/2': () => jsonResponse(replayed ? processed : FAILED_DETAIL),
        'POST /webhooks/events/2/replay': () => {
          replayed = true;
          return jsonResponse({ replayed: 1 }, { status: 202 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp('/webhooks/2');
    await screen.findByRole('table', { name: 'Processing attempts' });
    await user.click(screen.getByRole('button', { name: 'Replay' }));
    const dialog = await screen.findByRole('dialog', { name: 'Replay this event?' });
    expect(sent.some((r) => r.method === 'POST')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Replay event' }));

    await waitFor(() => expect(screen.getAllByRole('row', { name: /host-b\/1/ })).toHaveLength(1));
    expect(sent.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual(['/api/v1/webhooks/events/2/replay']);
    expect(screen.queryByText('Dead-lettered: processing gave up')).not.toBeInTheDocument();
  });

  it('says "not found" for an event the server does not show', async () => {
    stubApi({
      handlers: {
        'GET /webhooks/events/404': () =>
          new Response(JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404, code: 'not_found', detail: 'No such webhook event.' }), {
            status: 404,
            headers: { 'Content-Type': 'application/problem+json' },
          }),
      },
    });
    renderApp('/webhooks/404');
    expect(await screen.findByText('There is no such webhook event')).toBeInTheDocument();
  });
});

const SETUP: Schemas['WebhookSetup'] = {
  subscriptions: [
    {
      id: 'wh_1',
      url: 'http://127.0.0.1:8080/webhooks/klarna',
      event_types: ['partner.account.*', 'payment.dispute.*', 'settlement.report.created'],
      event_version: 'v1',
      signing_key_id: 'key-new',
      status: 'ENABLED',
      created_at: '2026-11-20T08:00:00Z',
    },
  ],
  signing_keys: [
    { id: 'key-new', source: 'api', created_at: '2026-11-21T08:00:00Z', accept_until: null },
    { id: 'key-old', source: 'api', created_at: '2026-11-01T08:00:00Z', accept_until: '2026-11-22T08:00:00Z' },
  ],
  handled_event_types: ['payment.dispute.*', 'partner.account.state-change.*'],
  receiver_url: 'http://127.0.0.1:8080/webhooks/klarna',
  klarna_configured: true,
};

const STATS: Schemas['WebhookStats'] = {
  by_status: { processed: 41, failed: 2, dead_lettered: 1, parked: 3 },
  by_type: { 'payment.dispute.state-change.initiated': 30, 'settlement.report.created': 12, 'partner.account.state-change.operational': 5 },
  quarantined: 4,
  oldest_open_at: null,
};

describe('webhook settings', () => {
  const handlers = { 'GET /webhooks/subscriptions': () => jsonResponse(SETUP), 'GET /webhooks/stats': () => jsonResponse(STATS) };

  it('shows the receiver, subscriptions, signing keys and the counters', async () => {
    stubApi({ handlers });
    renderApp('/settings/webhooks');
    const subs = await screen.findByRole('table', { name: 'Webhook subscriptions' });
    const row = within(subs).getByRole('row', { name: /wh_1/ });
    expect(row).toHaveTextContent('ENABLED');
    expect(row).toHaveTextContent('payment.dispute.*');
    expect(screen.getByTestId('receiver-url')).toHaveTextContent('http://127.0.0.1:8080/webhooks/klarna');
    const keys = screen.getByRole('table', { name: 'Signing keys' });
    expect(within(keys).getByRole('row', { name: /key-new/ })).toHaveTextContent('current');
    expect(within(keys).getByRole('row', { name: /key-old/ })).toHaveTextContent('rotated out · accepted until');

    expect(await screen.findByTestId('count-processed')).toHaveTextContent('41');
    expect(screen.getByTestId('count-received')).toHaveTextContent('0');
    expect(screen.getByTestId('count-dead_lettered')).toHaveTextContent('1');
    expect(screen.getByTestId('count-quarantined')).toHaveTextContent('4');
    const top = screen.getByRole('table', { name: 'Top event types' });
    expect(within(top).getAllByRole('row')[0]).toHaveTextContent('payment.dispute.state-change.initiated30');
    expect(within(top).getByRole('link', { name: 'settlement.report.created' })).toHaveAttribute('href', '/webhooks?type=settlement.report.created');
  });

  it('is linked from Settings for webhook:read', async () => {
    stubApi({ me: personas.auditor });
    renderApp('/settings');
    await screen.findByRole('table', { name: 'Role permissions' });
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Webhooks' })).toHaveAttribute('href', '/settings/webhooks');
  });

  it('sends a test event of the chosen type to a subscription', async () => {
    const { sent } = stubApi({ handlers: { ...handlers, 'POST /webhooks/subscriptions/wh_1/simulate': () => new Response(null, { status: 202 }) } });
    const user = userEvent.setup();
    renderApp('/settings/webhooks');
    await user.click(await screen.findByRole('button', { name: 'Send test event to wh_1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send a test event' });
    await user.click(within(dialog).getByRole('combobox', { name: 'Event type' }));
    await user.click(await screen.findByRole('option', { name: 'payment.dispute.state-change.initiated' }));
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Test event requested')).toBeInTheDocument();
    const post = sent.find((r) => r.method === 'POST')!;
    expect(post.url).toBe('/api/v1/webhooks/subscriptions/wh_1/simulate');
    expect(post.body).toEqual({ event_type: 'payment.dispute.state-change.initiated' });
  });

  it('rotates the signing key only after confirming, explaining the grace period', async () => {
    const { sent } = stubApi({ handlers: { ...handlers, 'POST /webhooks/signing-keys/rotate': () => jsonResponse({ signing_key_id: 'key-newer' }, { status: 201 }) } });
    const user = userEvent.setup();
    renderApp('/settings/webhooks');
    await screen.findByRole('table', { name: 'Webhook subscriptions' });
    await user.click(screen.getByRole('button', { name: 'Rotate signing key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Rotate the signing key?' });
    expect(dialog).toHaveTextContent('The old key stays accepted for the grace period');
    expect(sent.some((r) => r.method === 'POST')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Rotate key' }));
    expect(await screen.findByText(/New key key-newer/)).toBeInTheDocument();
    expect(sent.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual(['/api/v1/webhooks/signing-keys/rotate']);
  });

  it('offers no subscribe, rotate or test buttons without webhook:manage', async () => {
    stubApi({ me: personas.auditor, handlers });
    renderApp('/settings/webhooks');
    await screen.findByRole('table', { name: 'Webhook subscriptions' });
    expect(await screen.findByTestId('count-processed')).toHaveTextContent('41');
    for (const name of ['Subscribe this server', 'Rotate signing key', 'Send test event to wh_1']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('subscribes this server through step-up when the login is too old', async () => {
    const assign = vi.spyOn(browser, 'assign').mockImplementation(() => {});
    stubApi({
      handlers: {
        ...handlers,
        'POST /webhooks/subscriptions': () => problemResponse(401, 'step_up_required', 'This action needs a recent login.'),
      },
    });
    const user = userEvent.setup();
    renderApp('/settings/webhooks');
    await screen.findByRole('table', { name: 'Webhook subscriptions' });
    await user.click(screen.getByRole('button', { name: 'Subscribe this server' }));
    await waitFor(() => expect(assign).toHaveBeenCalledOnce());
    expect(assign).toHaveBeenCalledWith('/auth/login?step_up=1&login_hint=ada%40acquirer.test&return_to=%2Fsettings%2Fwebhooks%3Fresume%3D1');
    const parked = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? '{}') as { method?: string; path?: string };
    expect(parked).toMatchObject({ method: 'post', path: '/webhooks/subscriptions' });
  });
});
