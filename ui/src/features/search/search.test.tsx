import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Schemas } from '@/lib/api';
import { PHONE_QUERY } from '@/lib/phone';
import { AURORA_ID, BOREALIS_ID, personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi, type SentRequest } from '@/test/render';

type Hit = Schemas['SearchHit'];
type Result = Schemas['SearchResult'];

const DISPUTE = 'krn:network:eu1:live:payment:dispute:4711';

function hit(kind: Hit['kind'], id: string, label: string, path: string, tenant = AURORA_ID, exact = true): Hit {
  return { kind, id, label, secondary: `${kind} ${id}`, tenant_id: tenant, tenant_name: tenant === AURORA_ID ? 'Aurora Outfitters' : 'Borealis Bikes', exact, path };
}

const disputeHit = hit('dispute', DISPUTE, DISPUTE, `/disputes/${encodeURIComponent(DISPUTE)}`);
const lines = [
  hit('transaction', '1', 'Sale · 50.00 EUR', '/settlements/transactions?q=order-9'),
  hit('transaction', '2', 'Return · 50.00 EUR', '/settlements/transactions?q=order-9'),
];

/** The server's answers: the dispute id names one dispute; order-9 a dispute and two lines; anything else nothing. */
function answer(req: SentRequest) {
  const q = new URL(req.url, 'http://localhost').searchParams.get('q') ?? '';
  let res: Result = { groups: [], exact: null };
  if (q === DISPUTE) res = { groups: [{ kind: 'dispute', items: [disputeHit], more: false }], exact: disputeHit };
  if (q === 'order-9') {
    res = {
      groups: [
        { kind: 'dispute', items: [{ ...disputeHit, secondary: 'Initiated · order order-9' }], more: false },
        { kind: 'transaction', items: lines, more: true, more_path: '/settlements/transactions?q=order-9' },
      ],
      exact: null,
    };
  }
  if (q === 'bikes') {
    res = { groups: [{ kind: 'partner', items: [hit('partner', BOREALIS_ID, 'Borealis Bikes', `/partners/${BOREALIS_ID}`, BOREALIS_ID, false)], more: false }], exact: null };
  }
  return jsonResponse(res);
}

function searches(sent: SentRequest[]) {
  return sent.filter((r) => r.url.startsWith('/api/v1/search')).map((r) => new URL(r.url, 'http://localhost').searchParams.get('q'));
}

describe('global search', () => {
  it('opens on "/" and goes straight to the one object an id names on Enter', async () => {
    const { sent } = stubApi({ me: personas.acquirerSupport, handlers: { 'GET /search': answer } });
    const user = userEvent.setup();
    const { router } = renderApp('/');
    const header = await screen.findByRole('banner');
    expect(within(header).getByRole('button', { name: 'Search' })).toHaveAttribute('aria-keyshortcuts', '/');

    await user.keyboard('/');
    const box = await screen.findByRole('combobox', { name: /Search for an id/ });
    expect(box).toHaveFocus();
    // Pasted and Enter at once: the box does not wait for typing to pause.
    await user.click(box);
    await user.paste(DISPUTE);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe(`/disputes/${encodeURIComponent(DISPUTE)}`));
    expect(screen.queryByRole('combobox', { name: /Search for an id/ })).not.toBeInTheDocument();
    expect(searches(sent)).toContain(DISPUTE);
  });

  it('"/" typed in a field is just a character', async () => {
    stubApi({ me: personas.acquirerAdmin, handlers: { 'GET /search': answer } });
    const user = userEvent.setup();
    renderApp('/partners');
    const filter = await screen.findByPlaceholderText('Name, our reference, any Klarna id, e-mail');
    await user.type(filter, 'a/b');
    expect(filter).toHaveValue('a/b');
    expect(screen.queryByRole('combobox', { name: /Search for an id/ })).not.toBeInTheDocument();
  });

  it('lists the matches by kind; arrows and Enter, or a click, open one', async () => {
    stubApi({ me: personas.acquirerSupport, handlers: { 'GET /search': answer } });
    const user = userEvent.setup();
    const { router } = renderApp('/');
    await user.click(within(await screen.findByRole('banner')).getByRole('button', { name: 'Search' }));
    const start = router.state.location.pathname;
    const box = await screen.findByRole('combobox', { name: /Search for an id/ });
    await user.type(box, 'order-9');
    const results = await screen.findByRole('listbox', { name: 'Search results' });
    const disputes = within(results).getByRole('group', { name: 'Disputes' });
    const transactions = within(results).getByRole('group', { name: 'Transactions' });
    expect(within(disputes).getAllByRole('option')).toHaveLength(1);
    expect(within(transactions).getAllByRole('option')).toHaveLength(2);
    expect(within(transactions).getByRole('link', { name: 'All matches' })).toHaveAttribute('href', '/settlements/transactions?q=order-9');

    // No exact match: Enter alone stays; down twice picks the first line.
    await user.keyboard('{Enter}');
    expect(router.state.location.pathname).toBe(start);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(within(transactions).getAllByRole('option')[0]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/settlements/transactions'));
    expect(router.state.location.search).toBe('?q=order-9');

    // A click opens a partner found by name.
    await user.keyboard('/');
    await user.type(await screen.findByRole('combobox', { name: /Search for an id/ }), 'bikes');
    await user.click(await screen.findByRole('option', { name: /Borealis Bikes/ }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/partners/${BOREALIS_ID}`));
  });

  it('says plainly when nothing is found, and when the query is too long', async () => {
    stubApi({ me: personas.merchantAdmin, handlers: { 'GET /search': answer } });
    const user = userEvent.setup();
    renderApp('/');
    await screen.findByRole('banner');
    await user.keyboard('/');
    const box = await screen.findByRole('combobox', { name: /Search for an id/ });
    await user.type(box, 'krn:unknown');
    expect(await screen.findByText('Nothing found for “krn:unknown”')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(/only find what your roles let you see/);

    await user.clear(box);
    await user.click(box);
    await user.paste('x'.repeat(256));
    expect(await screen.findByText('At most 255 characters')).toBeInTheDocument();
  });

  it('is an icon that opens a full-screen search at phone width', async () => {
    const real = window.matchMedia;
    vi.stubGlobal('matchMedia', (query: string) => ({ ...real(query), matches: query === PHONE_QUERY }));
    stubApi({ me: personas.merchantAdmin, handlers: { 'GET /search': answer } });
    const user = userEvent.setup();
    const { router } = renderApp('/');
    const button = within(await screen.findByRole('banner')).getByRole('button', { name: 'Search' });
    expect(button).not.toHaveTextContent(/Search ids/);
    await user.click(button);
    const box = await screen.findByRole('combobox', { name: /Search for an id/ });
    await user.type(box, `${DISPUTE}{Enter}`);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/disputes/${encodeURIComponent(DISPUTE)}`));
  });
});
