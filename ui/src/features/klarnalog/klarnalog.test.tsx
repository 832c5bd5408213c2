import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '@/lib/api';
import { PHONE_QUERY } from '@/lib/phone';
import { AURORA_ID, BOREALIS_ID, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';

type Call = Schemas['KlarnaCall'];

function call(id: number, operation: string, extra: Partial<Call> = {}): Call {
  return {
    id,
    at: `2026-11-21T09:0${id}:00Z`,
    tenant_id: AURORA_ID,
    tenant_name: 'Aurora Outfitters',
    operation,
    method: 'PATCH',
    path: '/v2/accounts/{partner_account_id}/brands/{brand_id}',
    host: 'gateway',
    partner_account_id: 'krn:partner:global:account:test:AURORA01',
    object_kind: 'brand',
    object_id: 'krn:brand:1',
    status: 200,
    outcome: 'ok',
    duration_ms: 84.2,
    attempts: 1,
    idempotency_key: `idem-${id}`,
    correlation_id: `corr-${id}`,
    klarna_correlation_id: `kcorr-${id}`,
    error_type: '',
    error_code: '',
    error_id: '',
    error_messages: [],
    ...extra,
  };
}

const BRAND = call(3, 'update_brand');
const FAILED = call(2, 'update_store', {
  status: 503,
  outcome: 'server_error',
  attempts: 4,
  duration_ms: 2400,
  tenant_id: BOREALIS_ID,
  tenant_name: 'Borealis Bikes',
  error_code: 'SERVICE_UNAVAILABLE',
  error_id: 'err-77',
  error_type: 'TECHNICAL_ERROR',
  error_messages: ['Try again later'],
});
const ACQUIRER = call(1, 'list_payment_profiles', { tenant_id: null, tenant_name: undefined, partner_account_id: '', object_kind: '', object_id: '', method: 'GET', path: '/v2/distribution/payment-profiles' });

const query = (req: SentRequest) => new URL(req.url, 'http://x').searchParams;

function log(req: SentRequest) {
  if (query(req).get('cursor') === 'after-2') return jsonResponse({ items: [ACQUIRER], next_cursor: null, retention_days: 30 });
  return jsonResponse({ items: [BRAND, FAILED], next_cursor: 'after-2', retention_days: 30 });
}

const listRequests = (sent: SentRequest[]) => sent.filter((r) => r.url.startsWith('/api/v1/klarna/calls')).map((r) => r.url);

describe('Klarna call log', () => {
  it('lists calls with partner, object, status, latency, attempts and Klarna’s error, and pages with "Load more"', async () => {
    const { sent } = stubApi({ handlers: { 'GET /klarna/calls': log } });
    const user = userEvent.setup();
    renderApp('/klarna-calls');
    const table = await screen.findByRole('table', { name: 'Klarna calls' });
    expect(screen.getByText(/Kept 30 days/)).toBeInTheDocument();
    const failed = within(table).getByRole('row', { name: /update_store/ });
    expect(failed).toHaveTextContent('Borealis Bikes');
    expect(failed).toHaveTextContent('503 Server error (5xx)');
    expect(failed).toHaveTextContent('2.4 s');
    expect(failed).toHaveTextContent('SERVICE_UNAVAILABLE: Try again later');
    expect(within(table).getByRole('row', { name: /update_brand/ })).toHaveTextContent('brand krn:brand:1');

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('3 calls — that is all.')).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: /list_payment_profiles/ })).toHaveTextContent('acquirer');
    expect(listRequests(sent)).toEqual(['/api/v1/klarna/calls?limit=50', '/api/v1/klarna/calls?cursor=after-2&limit=50']);

    // A row opens the call's details.
    await user.click(within(table).getByRole('row', { name: /update_store/ }));
    const drawer = await screen.findByRole('dialog', { name: 'Klarna call' });
    expect(drawer).toHaveTextContent('idem-2');
    expect(drawer).toHaveTextContent('kcorr-2');
    expect(drawer).toHaveTextContent('err-77');
    expect(within(drawer).getByRole('list', { name: 'Error messages' })).toHaveTextContent('Try again later');
  });

  it('puts the filters into the address and the request, the partner by slug in one and id in the other', async () => {
    const { sent } = stubApi({ handlers: { 'GET /klarna/calls': log } });
    const user = userEvent.setup();
    const { router } = renderApp('/klarna-calls');
    await screen.findByRole('table', { name: 'Klarna calls' });
    const form = screen.getByRole('form', { name: 'Klarna call filters' });
    await user.type(within(form).getByRole('textbox', { name: 'Operation' }), 'update_brand');
    await user.click(within(form).getByRole('combobox', { name: 'Partner' }));
    await user.click(await screen.findByRole('option', { name: 'Aurora Outfitters' }));
    await user.click(within(form).getByRole('combobox', { name: 'Outcome' }));
    await user.click(await screen.findByRole('option', { name: 'Rate limited (429)' }));
    await user.type(within(form).getByRole('textbox', { name: 'Correlation id or idempotency key' }), 'idem-9');
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => expect(router.state.location.search).toBe('?operation=update_brand&partner=aurora&outcome=rate_limited&q=idem-9'));
    await waitFor(() =>
      expect(listRequests(sent).at(-1)).toBe(`/api/v1/klarna/calls?operation=update_brand&outcome=rate_limited&q=idem-9&tenant=${AURORA_ID}&limit=50`),
    );
  });

  it('reads an object page’s link into the form and the request', async () => {
    const { sent } = stubApi({ handlers: { 'GET /klarna/calls': log } });
    renderApp('/klarna-calls?object_kind=dispute&object_id=krn%3Adispute%3A9');
    await screen.findByRole('table', { name: 'Klarna calls' });
    const form = screen.getByRole('form', { name: 'Klarna call filters' });
    expect(within(form).getByRole('textbox', { name: 'Object kind' })).toHaveValue('dispute');
    expect(within(form).getByRole('textbox', { name: 'Object id' })).toHaveValue('krn:dispute:9');
    expect(listRequests(sent)).toEqual(['/api/v1/klarna/calls?object_kind=dispute&object_id=krn%3Adispute%3A9&limit=50']);
  });

  it('shows every bad filter at its input', async () => {
    stubApi({
      handlers: {
        'GET /klarna/calls': () =>
          problemResponse(400, 'invalid', 'Check the filters.', [
            { field: 'operation', message: 'is not a Klarna operation Partner Desk calls' },
            { field: 'object_kind', message: 'is required with object_id' },
          ]),
      },
    });
    renderApp('/klarna-calls?operation=nope&object_id=x');
    expect(await screen.findByText('is not a Klarna operation Partner Desk calls')).toBeInTheDocument();
    expect(screen.getByText('is required with object_id')).toBeInTheDocument();
  });

  it('is in the navigation for merchant admins and not for roles without klarna:log:read', async () => {
    stubApi({ me: personas.merchantAdmin, handlers: { 'GET /klarna/calls': log } });
    const { unmount } = renderApp('/klarna-calls');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: /Klarna calls/ })).toBeInTheDocument();
    unmount();
    vi.unstubAllGlobals();

    stubApi({ me: personas.merchantDisputes });
    renderApp('/disputes');
    const nav2 = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav2).queryByRole('link', { name: /Klarna calls/ })).not.toBeInTheDocument();
  });

  it('links a partner and its brands to their calls, only for who may read the log', async () => {
    stubApi({ handlers: { 'GET /klarna/calls': log } });
    const { unmount } = renderApp(`/partners/${AURORA_ID}`);
    const all = await screen.findByRole('link', { name: 'Klarna calls' });
    expect(all).toHaveAttribute('href', '/klarna-calls?partner=aurora');
    const brand = screen.getByRole('link', { name: 'Klarna calls about Brand Aurora Outfitters brand' });
    expect(brand).toHaveAttribute('href', `/klarna-calls?object_kind=brand&object_id=${encodeURIComponent('krn:partner:global:brand:live:aurora-1')}`);
    unmount();
    vi.unstubAllGlobals();

    stubApi({ me: personas.acquirerFinance });
    renderApp(`/partners/${AURORA_ID}`);
    await screen.findByRole('heading', { name: 'Aurora Outfitters' });
    expect(screen.queryByRole('link', { name: /Klarna calls/ })).not.toBeInTheDocument();
  });

  it('stacks each call into one readable cell at phone width', async () => {
    const real = window.matchMedia;
    vi.stubGlobal('matchMedia', (q: string) => ({ ...real(q), matches: q === PHONE_QUERY }));
    stubApi({ handlers: { 'GET /klarna/calls': log } });
    renderApp('/klarna-calls');
    const table = await screen.findByRole('table', { name: 'Klarna calls' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Call']);
    const row = within(table).getByRole('row', { name: /update_store/ });
    expect(row).toHaveTextContent('503 Server error (5xx)');
    expect(row).toHaveTextContent('4 attempts');
    expect(row).toHaveTextContent('Borealis Bikes');
  });
});
