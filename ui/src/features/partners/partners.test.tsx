import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { formatDateTime } from '@/lib/format';
import { AURORA_ID, BOREALIS_ID, partnerDetail, partners, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';

const AURORA_PA = 'krn:partner:global:payment-account:live:aurora-1';

/** GET /partners answering a search by a Klarna payment account id with Aurora only. */
function directory(req: SentRequest) {
  const q = new URL(req.url, 'http://x').searchParams.get('q');
  if (q === AURORA_PA) return jsonResponse({ items: [partners.aurora], next_cursor: null });
  return jsonResponse({ items: [partners.aurora, partners.borealis], next_cursor: null });
}

function board(): Schemas['OnboardingBoard'] {
  const item = (over: Partial<Schemas['OnboardingBoardItem']> & Pick<Schemas['OnboardingBoardItem'], 'name' | 'stage'>): Schemas['OnboardingBoardItem'] => ({
    kind: 'partner',
    reference: '',
    klarna_account_id: '',
    state: '',
    product_status: '',
    stuck: false,
    warnings: [],
    last_error: '',
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-20T10:00:00Z',
    ...over,
  });
  const stage = (s: Schemas['OnboardingStage'], items: Schemas['OnboardingBoardItem'][]) => ({ stage: s, count: items.length, items });
  const borealis = item({ name: 'Borealis Bikes', stage: 'partially_operational', stuck: true, tenant_id: BOREALIS_ID, partially_operational_at: '2026-11-20T09:00:00Z' });
  return {
    stuck_after_seconds: 60,
    stages: [
      stage('draft', [item({ kind: 'draft', name: 'Cirrus Cafés', stage: 'draft', draft_id: 'd-1', draft_status: 'draft' })]),
      stage('submitted', []),
      stage('partially_operational', [borealis]),
      stage('operational', [item({ name: 'Aurora Outfitters', stage: 'operational', tenant_id: AURORA_ID, product_status: 'ENABLED', warnings: ['partner.account.brand.data-incomplete'] })]),
      stage('disabled', []),
      stage('failed', [item({ kind: 'draft', name: 'Dune Decor', stage: 'failed', draft_id: 'd-2', draft_status: 'rejected', last_error: 'Klarna refused: email is not valid', attempts: 1 })]),
      stage('stuck', [{ ...borealis, stage: 'stuck' }]),
    ],
  };
}

describe('partner directory', () => {
  it('lists every partner with its counts, warnings and stage; a stuck one stands out', async () => {
    stubApi({ handlers: { 'GET /partners': directory } });
    renderApp('/partners');
    const table = await screen.findByRole('table', { name: 'Partners' });
    const aurora = within(table).getByRole('row', { name: /Aurora Outfitters/ });
    expect(within(aurora).getByText('ref-aurora')).toBeInTheDocument();
    expect(within(aurora).getByText('krn:partner:global:account:live:aurora')).toBeInTheDocument();
    expect(within(aurora).getByText('brand data incomplete')).toBeInTheDocument();
    expect(within(aurora).getAllByRole('cell').map((c) => c.textContent)).toEqual(
      expect.arrayContaining(['Operational', 'Enabled', '1', '2']),
    );
    const borealis = within(table).getByRole('row', { name: /Borealis Bikes/ });
    expect(borealis).toHaveAttribute('data-highlight', 'orange');
    expect(within(borealis).getByText('Stuck')).toBeInTheDocument();
    // Klarna's state and the onboarding stage both say so.
    expect(within(borealis).getAllByText('Partially operational')).toHaveLength(2);
    expect(aurora).not.toHaveAttribute('data-highlight');
  });

  it('searches by a Klarna id through the address, the request and the export, then opens the partner', async () => {
    const { sent } = stubApi({ handlers: { 'GET /partners': directory } });
    const user = userEvent.setup();
    const { router } = renderApp('/partners?sort=-created_at');
    await screen.findByRole('table', { name: 'Partners' });
    const form = screen.getByRole('form', { name: 'Partner filters' });
    await user.type(within(form).getByRole('searchbox', { name: 'Search' }), AURORA_PA);
    await user.click(within(form).getByRole('combobox', { name: 'State' }));
    await user.click(await screen.findByRole('option', { name: 'Operational' }));
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));

    const qs = `q=${encodeURIComponent(AURORA_PA)}&state=OPERATIONAL&sort=-created_at`;
    // The sort stays where it was in the address; the filters join it.
    expect(router.state.location.search).toBe(`?sort=-created_at&q=${encodeURIComponent(AURORA_PA)}&state=OPERATIONAL`);
    await screen.findByRole('row', { name: /Aurora Outfitters/ });
    expect(screen.queryByRole('row', { name: /Borealis Bikes/ })).not.toBeInTheDocument();
    expect(sent.at(-1)?.url).toBe(`/api/v1/partners?${qs}&limit=50`);
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', `/api/v1/partners/export.csv?${qs}`);

    await user.click(screen.getByRole('row', { name: /Aurora Outfitters/ }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Aurora Outfitters' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/partners/${AURORA_ID}`);
    // Back to the list keeps the search.
    await user.click(screen.getByRole('link', { name: '← All partners' }));
    expect(router.state.location.search).toContain(encodeURIComponent(AURORA_PA));
  });

  it('reads a shared view from the address and sorts by a column', async () => {
    const { sent } = stubApi();
    const user = userEvent.setup();
    const { router } = renderApp('/partners?onboarding=stuck&product_status=NONE');
    await screen.findByRole('table', { name: 'Partners' });
    const form = screen.getByRole('form', { name: 'Partner filters' });
    expect(within(form).getByRole('combobox', { name: 'Onboarding' })).toHaveValue('Stuck');
    expect(within(form).getByRole('combobox', { name: 'Product status' })).toHaveValue('No payment product');
    expect(sent.find((r) => r.url.startsWith('/api/v1/partners'))?.url).toBe('/api/v1/partners?product_status=NONE&onboarding=stuck&limit=50');
    await user.click(screen.getByRole('button', { name: 'Sort by Last changed' }));
    expect(router.state.location.search).toBe('?onboarding=stuck&product_status=NONE&sort=-updated_at');
  });

  it('says so when nothing matches', async () => {
    stubApi({ handlers: { 'GET /partners': () => jsonResponse({ items: [], next_cursor: null }) } });
    renderApp('/partners?q=nobody');
    expect(await screen.findByRole('heading', { name: 'No partner matches' })).toBeInTheDocument();
  });

  it('shows a failing directory with its request id and "Try again"', async () => {
    let fail = true;
    stubApi({
      handlers: {
        'GET /partners': (req) => {
          if (fail) {
            fail = false;
            return problemResponse(403, 'forbidden', 'You may not list partners.');
          }
          return directory(req);
        },
      },
    });
    const user = userEvent.setup();
    renderApp('/partners');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('You may not list partners.');
    expect(alert).toHaveTextContent('req-test');
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('table', { name: 'Partners' })).toBeInTheDocument();
  });
});

describe('partner page', () => {
  it('shows the account as a tree with Klarna ids and our references, each with a copy button', async () => {
    stubApi();
    renderApp(`/partners/${AURORA_ID}`);
    const tree = await screen.findByRole('region', { name: 'Account hierarchy' });
    const account = within(tree).getByRole('region', { name: 'Account Aurora Outfitters' });
    expect(within(account).getByText('owner@aurora.test')).toBeInTheDocument();
    const entity = within(account).getByRole('region', { name: 'Business entity Aurora Outfitters AB' });
    expect(within(entity).getByText('krn:partner:global:business-entity:live:aurora-1')).toBeInTheDocument();
    expect(within(entity).getByText('aurora-entity-1')).toBeInTheDocument();
    const pa = within(account).getByRole('region', { name: 'Payment account aurora-pa-1' });
    expect(within(pa).getByText('acq-northwind-se')).toBeInTheDocument();
    expect(pa).toHaveTextContent('MCC: 5651');
    expect(pa).toHaveTextContent('Business entity: Aurora Outfitters AB');
    expect(pa).toHaveTextContent('Store group: aurora-group-1');
    const brand = within(account).getByRole('region', { name: 'Brand Aurora Outfitters brand' });
    const group = within(brand).getByRole('region', { name: 'Store group aurora-group-1' });
    const store = within(group).getByRole('region', { name: 'Store https://aurora.example' });
    expect(within(store).getByRole('button', { name: 'Copy Klarna id of Store https://aurora.example' })).toBeInTheDocument();
    expect(within(store).getByRole('button', { name: 'Copy Our reference of Store https://aurora.example' })).toBeInTheDocument();
    expect(screen.getByText('brand data incomplete')).toBeInTheDocument();
  });

  it('shows the Boost readiness checklist, each missing item with the tab that fixes it', async () => {
    stubApi({
      handlers: {
        [`GET /tenants/${AURORA_ID}/partner/readiness`]: () =>
          jsonResponse({
            items: [
              { key: 'product', title: 'An enabled payment product', ok: true, detail: 'The payment product is enabled.', fix: 'products' },
              { key: 'client_identifier', title: "A client identifier with the shop's origins", ok: false, detail: 'Not among the allowed origins: https://aurora.example.', fix: 'credentials' },
            ],
          }),
      },
    });
    renderApp(`/partners/${AURORA_ID}`);
    const list = await screen.findByRole('region', { name: 'Boost readiness' });
    expect(await within(list).findByText('1 of 2 in place')).toBeInTheDocument();
    expect(within(list).getByRole('listitem', { name: 'An enabled payment product: in place' })).toBeInTheDocument();
    const missing = within(list).getByRole('listitem', { name: "A client identifier with the shop's origins: missing" });
    expect(missing).toHaveTextContent('https://aurora.example');
    await userEvent.click(within(missing).getByRole('link', { name: 'Open Credentials' }));
    expect(await screen.findByRole('tab', { name: 'Credentials', selected: true })).toBeInTheDocument();
  });

  it('links a missing item to its tab only for whoever sees that tab', async () => {
    stubApi({
      me: personas.merchantFinance,
      handlers: {
        [`GET /tenants/${AURORA_ID}/partner/readiness`]: () =>
          jsonResponse({ items: [{ key: 'client_identifier', title: "A client identifier with the shop's origins", ok: false, detail: 'There is no enabled client identifier.', fix: 'credentials' }] }),
      },
    });
    renderApp('/overview');
    const list = await screen.findByRole('region', { name: 'Boost readiness' });
    const missing = await within(list).findByRole('listitem', { name: "A client identifier with the shop's origins: missing" });
    expect(missing).toHaveTextContent('There is no enabled client identifier.');
    expect(within(missing).queryByRole('link')).not.toBeInTheDocument();
  });

  it('offers Add resources (to the wizard, by partner) and Refresh from Klarna to an acquirer admin', async () => {
    let synced = 0;
    const { sent } = stubApi({
      handlers: {
        [`POST /tenants/${AURORA_ID}/partner/refresh`]: () => jsonResponse({ klarna_account_id: partners.aurora.klarna_account_id, queued: true }, { status: 202 }),
        [`GET /tenants/${AURORA_ID}/partner`]: () => {
          synced += 1;
          return jsonResponse(partnerDetail({ ...partners.aurora, synced_at: synced > 1 ? '2026-11-21T08:00:00Z' : partners.aurora.synced_at }));
        },
      },
    });
    const user = userEvent.setup();
    renderApp(`/partners/${AURORA_ID}`);
    const add = await screen.findByRole('link', { name: 'Add resources' });
    expect(add).toHaveAttribute('href', `/onboarding/new?partner=${AURORA_ID}`);
    await user.click(screen.getByRole('button', { name: 'Refresh from Klarna' }));
    expect(await screen.findByText('Reading the account from Klarna')).toBeInTheDocument();
    const post = sent.find((r) => r.method === 'POST');
    expect(post?.url).toBe(`/api/v1/tenants/${AURORA_ID}/partner/refresh`);
    expect(post?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{32}$/);
    // The page reads the partner again and shows what Klarna returned this time.
    expect(await screen.findByText(new RegExp(`As Klarna returned it at ${formatDateTime('2026-11-21T08:00:00Z')}`))).toBeInTheDocument();
  });

  it('offers neither button without partner:onboard or partner:manage', async () => {
    stubApi({ me: personas.acquirerSupport });
    renderApp(`/partners/${AURORA_ID}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Aurora Outfitters' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Add resources' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Refresh from Klarna' })).not.toBeInTheDocument();
  });

  it('says "Not found" for a partner the merchant cannot see', async () => {
    stubApi({ me: personas.merchantAdmin, handlers: { [`GET /tenants/${BOREALIS_ID}/partner`]: () => problemResponse(404, 'not_found', 'not found') } });
    renderApp(`/partners/${BOREALIS_ID}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Not found' })).toBeInTheDocument();
    expect(screen.queryByText('Borealis Bikes')).not.toBeInTheDocument();
  });

  it('gives the merchant its own account on Overview, with Refresh but without Add resources', async () => {
    stubApi({ me: personas.merchantAdmin });
    renderApp('/overview');
    expect(await screen.findByRole('region', { name: 'Account Aurora Outfitters' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Overview' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Refresh from Klarna' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Add resources' })).not.toBeInTheDocument();
  });
});

describe('onboarding board', () => {
  it('shows each stage with its count and cards; stuck and failed stand out', async () => {
    stubApi({ handlers: { 'GET /partners/onboarding': () => jsonResponse(board()) } });
    const user = userEvent.setup();
    const { router } = renderApp('/partners');
    await screen.findByRole('table', { name: 'Partners' });
    await user.click(screen.getByRole('radio', { name: 'Onboarding board' }));
    expect(router.state.location.pathname).toBe('/partners/onboarding');

    const stuck = await screen.findByRole('region', { name: 'Stuck' });
    expect(within(stuck).getByLabelText('1 in Stuck')).toBeInTheDocument();
    expect(within(stuck).getByRole('article', { name: 'Borealis Bikes, Stuck' })).toHaveAttribute('data-stuck', 'true');
    const failed = screen.getByRole('region', { name: 'Failed' });
    expect(within(failed).getByText('Klarna refused: email is not valid')).toBeInTheDocument();
    expect(within(failed).getByText(/rejected/)).toBeInTheDocument();
    const partial = screen.getByRole('region', { name: 'Partially operational' });
    expect(within(partial).getByRole('article', { name: 'Borealis Bikes, Partially operational' })).toHaveTextContent('Stuck');
    const operational = screen.getByRole('region', { name: 'Operational' });
    expect(within(operational).getByText('brand data incomplete')).toBeInTheDocument();
    expect(within(operational).getByRole('link', { name: 'Aurora Outfitters' })).toHaveAttribute('href', `/partners/${AURORA_ID}`);
    expect(within(screen.getByRole('region', { name: 'Submitted' })).getByText('None.')).toBeInTheDocument();
    // A draft opens in the wizard.
    expect(within(screen.getByRole('region', { name: 'Draft' })).getByRole('link', { name: 'Cirrus Cafés' })).toHaveAttribute('href', '/onboarding/drafts/d-1');
  });

  it('shows the merchant only what the server sends for its own partner, in its words', async () => {
    const own = board();
    own.stages = own.stages.map((s) => {
      const items = s.items.filter((i) => i.tenant_id === AURORA_ID);
      return { ...s, items, count: items.length };
    });
    stubApi({ me: personas.merchantAdmin, handlers: { 'GET /partners/onboarding': () => jsonResponse(own) } });
    renderApp('/partners/onboarding');
    const operational = await screen.findByRole('region', { name: 'Operational' });
    expect(within(operational).getByText('Aurora Outfitters')).toBeInTheDocument();
    expect(screen.queryByText('Borealis Bikes')).not.toBeInTheDocument();
    expect(document.body).toHaveTextContent('Where Aurora Outfitters stands in onboarding');
  });
});
