import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, partnerDetail, partners, personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi, type SentRequest } from '@/test/render';
import { diffRows } from './tabs/ChangeHistoryTab';

const detail = partnerDetail(partners.aurora);
const brand = detail.brands[0]!;
const group = brand.store_groups[0]!;
const store = group.stores[0]!;
const enc = encodeURIComponent;

const REF_REASON = 'Klarna identifies the resource by this reference for good.';
const data: Schemas['PartnerData'] = {
  klarna_account_id: partners.aurora.klarna_account_id,
  immutable_fields: [
    { kind: 'brand', field: 'brand_reference', reason: REF_REASON },
    { kind: 'store', field: 'store_reference', reason: REF_REASON },
    { kind: 'business_entity', field: 'partner_business_entity_reference', reason: REF_REASON },
    { kind: 'business_entity', field: 'legal_registration_country', reason: 'Klarna keeps the country an entity is registered in.' },
  ],
  brand_warnings: [{ brand_id: brand.id, warning: 'partner.account.brand.data-incomplete', value: 'https://cdn.aurora.invalid/logo.png' }],
};

function change(over: Partial<Schemas['PartnerChange']>): Schemas['PartnerChange'] {
  return {
    id: '00000000-0000-4000-8000-0000000c0001',
    kind: 'store',
    operation: 'update',
    resource_id: store.id,
    resource_ref: store.reference,
    payload: { type: 'WEBSITE', url: 'https://new.aurora.example' },
    before: { type: 'WEBSITE', url: store.url },
    reason: '',
    status: 'pending',
    attempts: 0,
    error: '',
    field_errors: [],
    requested_by: 'mia@aurora.test',
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    ...over,
  };
}

function stub(changes: Schemas['PartnerChange'][] = [], me = personas.merchantAdmin, handlers: Record<string, (r: SentRequest) => Response> = {}) {
  return stubApi({
    me,
    handlers: {
      [`GET /tenants/${AURORA_ID}/partner/data`]: () => jsonResponse(data),
      [`GET /tenants/${AURORA_ID}/partner/changes`]: () => jsonResponse({ items: changes }),
      ...handlers,
    },
  });
}

describe('brand data tab', () => {
  it('shows every invalid field of a brand at once and sends nothing; the reference is read-only with the reason', async () => {
    const { sent } = stub();
    renderApp(`/partners/${AURORA_ID}?tab=brand`);
    const card = await screen.findByRole('region', { name: `Brand ${brand.display_name}` });
    expect(await within(card).findByText(/brand data incomplete/)).toBeInTheDocument();
    await userEvent.click(within(card).getByRole('button', { name: 'Edit brand' }));
    const form = within(card).getByRole('form', { name: `Brand ${brand.reference}` });
    const ref = within(form).getByLabelText(/Brand reference/);
    expect(ref).toHaveAttribute('readonly');
    expect(within(form).getByText(`Read-only: ${REF_REASON}`)).toBeInTheDocument();
    await userEvent.clear(within(form).getByLabelText(/Display name/));
    await userEvent.type(within(form).getByLabelText(/Logo URL/), 'ftp://logo');
    await userEvent.type(within(form).getByLabelText(/Icon URL/), 'not a url');
    await userEvent.click(within(form).getByRole('button', { name: 'Save and send to Klarna' }));
    expect(await within(form).findByText('Enter the name shoppers see.')).toBeInTheDocument();
    expect(within(form).getAllByText('Enter a full web address starting with https://.')).toHaveLength(2);
    expect(sent.some((r) => r.method !== 'GET')).toBe(false);
  });

  it('sends a store URL as the store’s own PATCH and shows its status', async () => {
    let changes: Schemas['PartnerChange'][] = [];
    const { sent } = stub([], personas.merchantAdmin, {
      [`GET /tenants/${AURORA_ID}/partner/changes`]: () => jsonResponse({ items: changes }),
      [`PATCH /tenants/${AURORA_ID}/partner/stores/${enc(store.id)}`]: () => {
        changes = [change({})];
        return jsonResponse(changes[0], { status: 202 });
      },
    });
    renderApp(`/partners/${AURORA_ID}?tab=brand`);
    const card = await screen.findByRole('region', { name: `Store ${store.url}` });
    await userEvent.click(within(card).getByRole('button', { name: 'Edit store' }));
    const url = within(card).getByLabelText(/^URL/);
    await userEvent.clear(url);
    await userEvent.type(url, 'https://new.aurora.example');
    await userEvent.click(within(card).getByRole('button', { name: 'Save and send to Klarna' }));
    await waitFor(() => expect(sent.find((r) => r.method === 'PATCH')?.body).toEqual({ store_reference: store.reference, store_group_id: group.id, type: 'WEBSITE', url: 'https://new.aurora.example' }));
    expect(await within(screen.getByRole('region', { name: `Store ${store.url}` })).findByText('Pending')).toBeInTheDocument();
  });

  it('puts Klarna’s field error of a refused change on the field', async () => {
    stub([change({ status: 'failed', payload: { type: 'pop-up', url: store.url }, error: 'Klarna refused the change: Request failed validation', field_errors: [{ field: 'type', message: 'must be a store type such as WEBSITE' }] })]);
    renderApp(`/partners/${AURORA_ID}?tab=brand`);
    const card = await screen.findByRole('region', { name: `Store ${store.url}` });
    expect(await within(card).findByText('Failed')).toBeInTheDocument();
    const form = await within(card).findByRole('form', { name: `Store ${store.reference}` });
    expect(await within(form).findByText('must be a store type such as WEBSITE')).toBeInTheDocument();
    // The form holds what Klarna refused, to fix.
    expect(within(form).getByLabelText(/^URL/)).toHaveValue(store.url);
    expect(within(form).getAllByLabelText(/^Type/).find((e) => e.tagName === 'INPUT')).toHaveValue('pop-up');
  });

  it('is read-only without brand:manage', async () => {
    stub([], personas.merchantFinance);
    renderApp(`/partners/${AURORA_ID}?tab=brand`);
    await screen.findByRole('region', { name: `Brand ${brand.display_name}` });
    expect(screen.queryByRole('button', { name: /Edit|Add/ })).not.toBeInTheDocument();
  });
});

describe('account & business tab', () => {
  it('checks every field of a business entity at once; reference and country are read-only', async () => {
    const { sent } = stub([], personas.acquirerAdmin);
    renderApp(`/partners/${AURORA_ID}?tab=account`);
    const entity = detail.business_entities[0]!;
    const card = await screen.findByRole('region', { name: `Business entity ${entity.legal_name}` });
    await userEvent.click(within(card).getByRole('button', { name: 'Edit business entity' }));
    const form = within(card).getByRole('form', { name: `Business entity ${entity.reference}` });
    expect(within(form).getByLabelText(/Entity reference/)).toHaveAttribute('readonly');
    expect(within(form).getByLabelText(/Country of registration/)).toHaveAttribute('readonly');
    await userEvent.clear(within(form).getByLabelText(/Registered legal name/));
    await userEvent.click(within(form).getByRole('button', { name: 'Add stakeholder' }));
    await userEvent.click(within(form).getByRole('button', { name: 'Save and send to Klarna' }));
    expect(await within(form).findByText('Enter the registered legal name.')).toBeInTheDocument();
    expect(within(form).getByText('Enter the stakeholder’s given name.')).toBeInTheDocument();
    expect(within(form).getByText('Enter the stakeholder’s family name.')).toBeInTheDocument();
    expect(within(form).getByText('Choose at least one role, such as OWNER.')).toBeInTheDocument();
    expect(sent.some((r) => r.method !== 'GET')).toBe(false);
  });

  it('checks the contact at once', async () => {
    const { sent } = stub([], personas.merchantAdmin);
    renderApp(`/partners/${AURORA_ID}?tab=account`);
    const card = await screen.findByRole('region', { name: `Account ${partners.aurora.name}` });
    await userEvent.click(within(card).getByRole('button', { name: 'Edit contact' }));
    const form = within(card).getByRole('form', { name: 'Account contact' });
    await userEvent.clear(within(form).getByLabelText(/E-mail/));
    await userEvent.type(within(form).getByLabelText(/E-mail/), 'nope');
    await userEvent.clear(within(form).getByLabelText(/Phone/));
    await userEvent.type(within(form).getByLabelText(/Phone/), '0701234567');
    await userEvent.click(within(form).getByRole('button', { name: 'Save and send to Klarna' }));
    expect(await within(form).findByText('Enter an e-mail address such as name@example.com.')).toBeInTheDocument();
    expect(within(form).getByText('Enter the phone number in international form (E.164), such as +46701234567.')).toBeInTheDocument();
    expect(sent.some((r) => r.method !== 'GET')).toBe(false);
  });
});

describe('change history tab', () => {
  it('lists each change with who, when, before and after, and Klarna’s answer', async () => {
    stub([change({ status: 'applied', applied_at: '2026-12-01T10:00:02Z', result: { store_id: store.id, url: 'https://new.aurora.example' } })]);
    renderApp(`/partners/${AURORA_ID}?tab=history`);
    const item = await screen.findByRole('article', { name: `update Store ${store.reference}` });
    expect(within(item).getByText(/mia@aurora.test/)).toBeInTheDocument();
    await userEvent.click(within(item).getByRole('button', { name: 'Details' }));
    const table = within(item).getByRole('table', { name: 'Before and after' });
    const row = within(table).getByRole('row', { name: /url/ });
    expect(within(row).getByText(store.url)).toBeInTheDocument();
    expect(within(row).getByText('https://new.aurora.example')).toBeInTheDocument();
    expect(within(item).getByText(/"store_id"/)).toBeInTheDocument();
  });

  it('diffs nested fields by path, changed ones first', () => {
    expect(diffRows({ element: { logo_url: 'a' }, display_name: 'X' }, { element: { logo_url: 'b' }, display_name: 'X' })).toEqual([
      { field: 'element.logo_url', before: 'a', after: 'b', changed: true },
      { field: 'display_name', before: 'X', after: 'X', changed: false },
    ]);
  });
});
