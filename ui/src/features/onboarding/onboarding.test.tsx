import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';
import { newPartnerValues, toPayload, type OnboardingValues } from './model';
import { ACQUIRING_ID, PROFILE_ID, validPartner } from './testing';

type Draft = Schemas['OnboardingDraft'];
const ID = '11111111-2222-4333-8444-555555555555';
const TENANT = '99999999-2222-4333-8444-555555555555';
const NONE: Draft['existing'] = { business_entities: [], brands: [], store_groups: [], stores: [], payment_accounts: [] };

function draft(values: OnboardingValues, extra: Partial<Draft> = {}): Draft {
  return {
    id: ID,
    kind: 'new',
    klarna_account_id: '',
    status: 'draft',
    step: 'account',
    version: 1,
    payload: toPayload(values) as Draft['payload'],
    existing: NONE,
    validation: [],
    field_errors: [],
    conflict: [],
    last_error: '',
    attempts: 0,
    created_at: '2026-12-02T10:00:00Z',
    updated_at: '2026-12-02T10:00:00Z',
    ...extra,
  };
}

const catalogue: Schemas['OnboardingCatalogue'] = {
  payment_profiles: [{ payment_profile_id: PROFILE_ID, name: 'Standard EU', description: '' }],
  acquiring_accounts: [{ payment_acquiring_account_id: ACQUIRING_ID, name: 'Northwind SE', settlement_currency: 'SEK', country: 'SE' }],
};

/** A draft server: GET answers the draft, PUT saves it (version + 1) with the given validation. */
function stubDraft(initial: Draft, more: Record<string, (req: SentRequest) => Response | Promise<Response>> = {}, validation: Draft['validation'] = []) {
  let current = initial;
  const api = stubApi({
    handlers: {
      'GET /onboarding/catalogue': () => jsonResponse(catalogue),
      [`GET /onboarding/drafts/${ID}`]: () => jsonResponse(current),
      [`PUT /onboarding/drafts/${ID}`]: (req) => {
        const body = req.body as { version: number; step: string; payload: Draft['payload'] };
        if (body.version !== current.version) return problemResponse(409, 'stale_version', 'Another admin saved this draft.');
        current = { ...current, version: current.version + 1, step: body.step, payload: body.payload, validation };
        return jsonResponse(current);
      },
      ...more,
    },
  });
  return { ...api, current: () => current };
}

const puts = (sent: SentRequest[]) => sent.filter((r) => r.method === 'PUT');

describe('onboarding wizard', () => {
  it('shows every problem of a step at once before moving on, and saves the draft as the admin types', async () => {
    const user = userEvent.setup();
    const { sent } = stubDraft(draft(newPartnerValues()));
    renderApp(`/onboarding/drafts/${ID}`);

    await user.click(await screen.findByRole('button', { name: 'Next: Business entities' }));
    expect(await screen.findByRole('alert', { name: /3 fields need your attention/ })).toBeInTheDocument();
    expect(screen.getByLabelText(/Partner reference/)).toHaveAccessibleDescription(/Enter your reference for this partner/);
    expect(screen.getByText('Enter the partner’s name.')).toBeInTheDocument();
    expect(screen.getByText(/Enter the contact’s e-mail address/)).toBeInTheDocument();

    await user.type(screen.getByLabelText(/Partner reference/), 'NW-0001');
    await user.type(screen.getByLabelText(/Partner name/), 'Fjällbacka Outdoor Group');
    await user.type(screen.getByLabelText(/E-mail/), 'ingrid@fjallbacka');
    await user.type(screen.getByLabelText(/Phone/), '0705550123');
    await user.click(screen.getByRole('button', { name: 'Next: Business entities' }));
    expect(await screen.findByText(/such as name@example.com/)).toBeInTheDocument();
    expect(screen.getByText(/international form \(E.164\)/)).toBeInTheDocument();

    await user.clear(screen.getByLabelText(/E-mail/));
    await user.type(screen.getByLabelText(/E-mail/), 'ingrid@fjallbacka.example');
    await user.clear(screen.getByLabelText(/Phone/));
    await user.type(screen.getByLabelText(/Phone/), '+46705550123');
    await user.click(screen.getByRole('button', { name: 'Next: Business entities' }));
    expect(await screen.findByRole('heading', { name: 'Business entities', level: 2 })).toBeInTheDocument();

    // Saved with the version it started from, on the step reached.
    await waitFor(() => expect(puts(sent).at(-1)?.body).toMatchObject({ step: 'entities', payload: { partner_account_reference: 'NW-0001' } }), { timeout: 3000 });
    expect(puts(sent)[0]?.body).toMatchObject({ version: 1 });
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Onboard Fjällbacka Outdoor Group');
  });

  it('refuses a 3-digit MCC on its field and goes on once it is fixed', async () => {
    const user = userEvent.setup();
    const v = validPartner();
    v.payment_product.payment_accounts = v.payment_product.payment_accounts.map((a) => ({ ...a, default_merchant_category_code: '594' }));
    stubDraft(draft(v, { step: 'payment' }));
    renderApp(`/onboarding/drafts/${ID}`);

    await user.click(await screen.findByRole('button', { name: 'Next: Brands' }));
    const mcc = screen.getByLabelText(/Default MCC/);
    expect(mcc).toHaveAccessibleDescription(/4-digit merchant category code/);
    await user.type(mcc, '1');
    expect(mcc).not.toHaveAccessibleDescription(/4-digit merchant category code/);
    await user.click(screen.getByRole('button', { name: 'Next: Brands' }));
    expect(await screen.findByRole('heading', { name: 'Brands', level: 2 })).toBeInTheDocument();
  });

  it('puts Klarna’s field errors of a refused submission on the fields, until the field is changed', async () => {
    const user = userEvent.setup();
    stubDraft(
      draft(validPartner(), {
        status: 'rejected',
        last_error: 'Klarna answered 400 VALIDATION_ERROR.',
        field_errors: [{ field: 'partner_account_contact.email', message: 'Klarna does not accept this mailbox.' }],
      }),
    );
    renderApp(`/onboarding/drafts/${ID}`);
    expect(await screen.findByRole('alert', { name: 'Klarna refused this onboarding' })).toBeInTheDocument();
    const email = screen.getByLabelText(/E-mail/);
    expect(email).toHaveAccessibleDescription('Klarna does not accept this mailbox.');
    await user.type(email, 'x');
    expect(email).not.toHaveAccessibleDescription('Klarna does not accept this mailbox.');
  });

  it('shows the server’s validation of a save on the fields of steps already visited, by field path', async () => {
    const user = userEvent.setup();
    const { sent } = stubDraft(draft(validPartner(), { step: 'payment' }), {}, [
      { field: 'partner_business_entities[0].legal_registration_country', message: 'Klarna does not onboard entities of this country here.' },
    ]);
    renderApp(`/onboarding/drafts/${ID}`);
    await user.type(await screen.findByLabelText(/Payment account reference/), '-A');
    await waitFor(() => expect(puts(sent)).toHaveLength(1), { timeout: 3000 });
    await user.click(screen.getByRole('button', { name: '2. Business entities' }));
    expect(await screen.findByText('Klarna does not onboard entities of this country here.')).toBeInTheDocument();
    expect(screen.getByLabelText(/Country of registration/)).toHaveAccessibleDescription(/does not onboard entities/);
  });

  it('says another admin saved the draft when the version is stale, and reloads it', async () => {
    const user = userEvent.setup();
    const api = stubDraft(draft(validPartner()));
    renderApp(`/onboarding/drafts/${ID}`);
    const name = await screen.findByLabelText(/Partner name/);
    // Someone else saves first.
    api.table[`GET /onboarding/drafts/${ID}`] = () => jsonResponse(draft({ ...validPartner(), partner_account_name: 'Renamed by Bo' }, { version: 5 }));
    api.table[`PUT /onboarding/drafts/${ID}`] = () => problemResponse(409, 'stale_version', 'The draft was saved by someone else.');
    await user.type(name, '!');
    expect(await screen.findByRole('alert', { name: 'Another admin saved this draft' }, { timeout: 3000 })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reload the draft' }));
    expect(await screen.findByDisplayValue('Renamed by Bo')).toBeInTheDocument();
  });

  it('reviews the exact payload, lists problems by step with links to the field, and submits', async () => {
    const user = userEvent.setup();
    const v = validPartner();
    v.brands = v.brands.map((b) => ({ ...b, logo_url: 'logo.png' }));
    const { sent } = stubDraft(draft(v, { step: 'review' }), {
      [`GET /onboarding/drafts/${ID}/payload`]: () => jsonResponse({ partner_account_reference: 'NW-0001', products: [{ type: 'PAYMENT', payment_profile_id: PROFILE_ID }] }),
      [`POST /onboarding/drafts/${ID}/submit`]: () => jsonResponse(draft(validPartner(), { status: 'submitted', attempts: 1, last_error: 'Klarna answered 503; trying again', submitted_at: '2026-12-02T10:05:00Z' }), { status: 202 }),
    });
    renderApp(`/onboarding/drafts/${ID}`);

    const payload = await screen.findByLabelText('Onboard payload (JSON)');
    expect(payload).toHaveTextContent('"type": "PAYMENT"');
    const problems = screen.getByLabelText('Problems by step');
    expect(within(problems).getByText('Brands')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Submit to Klarna' })).toBeDisabled();

    await user.click(within(problems).getByRole('button', { name: 'brands[0].logo_url' }));
    const logo = await screen.findByLabelText(/Logo URL/);
    expect(logo).toHaveFocus();
    expect(logo).toHaveAccessibleDescription(/https:\/\//);
    await user.clear(logo);
    await user.type(logo, 'https://cdn.fjallbacka.example/logo.png');
    await user.click(screen.getByRole('button', { name: '7. Review' }));
    expect(await screen.findByText('Ready to submit')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Submit to Klarna' })).toBeEnabled(), { timeout: 3000 });
    await user.click(screen.getByRole('button', { name: 'Submit to Klarna' }));

    expect(await screen.findByText('Sent to Klarna')).toBeInTheDocument();
    expect(screen.getByText('Klarna answered 503; trying again')).toBeInTheDocument();
    expect(sent.some((r) => r.method === 'POST' && r.url.endsWith('/submit'))).toBe(true);
  });

  it('maps the field errors of a refused submit onto the review’s list', async () => {
    const user = userEvent.setup();
    stubDraft(draft(validPartner(), { step: 'review' }), {
      [`GET /onboarding/drafts/${ID}/payload`]: () => jsonResponse({ partner_account_reference: 'NW-0001' }),
      [`POST /onboarding/drafts/${ID}/submit`]: () =>
        problemResponse(422, 'validation', 'The onboarding has problems.', [{ field: 'store_groups[0].stores[0].url', message: 'The server cannot reach this site.' }]),
    });
    renderApp(`/onboarding/drafts/${ID}`);
    await waitFor(() => expect(screen.getByRole('button', { name: 'Submit to Klarna' })).toBeEnabled());
    await user.click(screen.getByRole('button', { name: 'Submit to Klarna' }));
    const problems = await screen.findByLabelText('Problems by step');
    expect(within(problems).getByText('Stores')).toBeInTheDocument();
    expect(within(problems).getByText(/The server cannot reach this site/)).toBeInTheDocument();
  });

  it('shows a conflict side by side and settles it by taking Klarna’s version or renaming the reference', async () => {
    const user = userEvent.setup();
    const conflict: Draft['conflict'] = [
      {
        kind: 'brand',
        reference: 'NW-0001-BR',
        path: 'brands[0]',
        klarna: { brand_reference: 'NW-0001-BR', display_name: 'Fjallbacka' },
        payload: { brand_reference: 'NW-0001-BR', display_name: 'Fjällbacka' },
        fields: ['display_name'],
      },
    ];
    const { sent } = stubDraft(draft(validPartner(), { status: 'conflict', conflict }), {
      [`POST /onboarding/drafts/${ID}/resolve`]: () => jsonResponse(draft(validPartner(), { status: 'conflict', conflict, version: 2 })),
    });
    renderApp(`/onboarding/drafts/${ID}`);
    const card = await screen.findByRole('group', { name: 'Conflict on Brand NW-0001-BR' });
    const row = within(card).getByText('display_name').closest('tr');
    expect(row).toHaveAttribute('data-differs', 'true');
    expect(row).toHaveTextContent('Fjallbacka');
    expect(row).toHaveTextContent('Fjällbacka');

    await user.click(within(card).getByRole('button', { name: 'Take Klarna’s' }));
    await waitFor(() => expect(sent.filter((r) => r.url.endsWith('/resolve')).at(-1)?.body).toEqual({ kind: 'brand', reference: 'NW-0001-BR', action: 'take_klarna' }));

    await user.click(within(await screen.findByRole('group', { name: 'Conflict on Brand NW-0001-BR' })).getByRole('button', { name: 'Rename reference' }));
    const input = screen.getByLabelText('New reference');
    await user.clear(input);
    await user.type(input, 'NW-0001-BR2');
    await user.click(screen.getByRole('button', { name: 'Rename' }));
    await waitFor(() =>
      expect(sent.filter((r) => r.url.endsWith('/resolve')).at(-1)?.body).toEqual({ kind: 'brand', reference: 'NW-0001-BR', action: 'rename', new_reference: 'NW-0001-BR2' }),
    );
  });

  it('links a succeeded onboarding to its partner and shows the account becoming operational', async () => {
    let reads = 0;
    stubDraft(draft(validPartner(), { status: 'succeeded', tenant_id: TENANT, klarna_account_id: 'krn:partner:global:account:test:NW000001' }), {
      [`GET /tenants/${TENANT}/partner`]: () => {
        reads += 1;
        return jsonResponse({ summary: { state: reads === 1 ? 'PARTIALLY_OPERATIONAL' : 'OPERATIONAL' } });
      },
    });
    renderApp(`/onboarding/drafts/${ID}`);
    expect(await screen.findByRole('link', { name: 'Open the partner’s page' })).toHaveAttribute('href', `/partners/${TENANT}`);
    expect(await screen.findByText('PARTIALLY_OPERATIONAL')).toBeInTheDocument();
    expect(await screen.findByText('OPERATIONAL', {}, { timeout: 5000 })).toBeInTheDocument();
  });

  it('starts a draft for a new partner, or for additions with ?partner=', async () => {
    const { sent } = stubDraft(draft(newPartnerValues()), {
      'POST /onboarding/drafts': () => jsonResponse(draft(newPartnerValues()), { status: 201 }),
    });
    const { router } = renderApp(`/onboarding/new?partner=${TENANT}`);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/onboarding/drafts/${ID}`));
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ kind: 'incremental', tenant_id: TENANT });
  });

  it('shows what an incremental draft’s account already holds read-only, and lets new resources be added beside it', async () => {
    const user = userEvent.setup();
    const v = validPartner();
    stubDraft(
      draft(v, {
        kind: 'incremental',
        tenant_id: TENANT,
        step: 'brands',
        existing: { ...NONE, business_entities: ['NW-0001-LE'], brands: ['NW-0001-BR'], store_groups: ['NW-0001-SG'], stores: ['NW-0001-ST'] },
      }),
    );
    renderApp(`/onboarding/drafts/${ID}`);
    const held = await screen.findByRole('group', { name: 'Fjällbacka' });
    expect(within(held).getByText('at Klarna — read-only')).toBeInTheDocument();
    expect(within(held).getByLabelText(/Display name/)).toBeDisabled();
    expect(within(held).queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Add brand' }));
    const added = await screen.findByRole('group', { name: 'Brand 2' });
    expect(within(added).getByLabelText(/Display name/)).toBeEnabled();
    expect(within(added).getByRole('button', { name: 'Remove Brand 2' })).toBeInTheDocument();

    // The account and its contact are Klarna's too.
    await user.click(screen.getByRole('button', { name: '1. Account' }));
    expect(await screen.findByLabelText(/E-mail/)).toBeDisabled();
    expect(screen.queryByLabelText(/Partner reference/)).not.toBeInTheDocument();
    expect(screen.getByText('NW-0001')).toBeInTheDocument();
  });

  it('discards a draft after asking', async () => {
    const user = userEvent.setup();
    const { sent } = stubDraft(draft(validPartner()), {
      [`DELETE /onboarding/drafts/${ID}`]: () => new Response(null, { status: 204 }),
      'GET /onboarding/drafts': () => jsonResponse({ items: [] }),
    });
    const { router } = renderApp(`/onboarding/drafts/${ID}`);
    await user.click(await screen.findByRole('button', { name: 'Discard draft' }));
    await user.click(await screen.findByRole('button', { name: 'Discard the draft' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/onboarding'));
    expect(sent.some((r) => r.method === 'DELETE')).toBe(true);
    expect(await screen.findByText('No onboardings yet')).toBeInTheDocument();
  });
});
