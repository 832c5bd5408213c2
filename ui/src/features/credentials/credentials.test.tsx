import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, BOREALIS_ID, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi } from '@/test/render';

const SECRET = 'klarna_test_api_5e8c1d2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';
const DAY = 24 * 60 * 60 * 1000;

function key(over: Partial<Schemas['PartnerCredential']> = {}): Schemas['PartnerCredential'] {
  return {
    tenant_id: AURORA_ID,
    tenant_slug: 'aurora',
    tenant_name: 'Aurora Outfitters',
    klarna_account_id: 'krn:partner:global:account:test:AURORA01',
    credential_id: '8c1f2e3d-4b5a-4c6d-9e8f-0a1b2c3d4e5f',
    kind: 'api_key',
    description: 'shop backend',
    status: 'ENABLED',
    client_id: '',
    origins: [],
    created_at: new Date(Date.now() - DAY).toISOString(),
    created_by: 'mia@aurora.test',
    last_used_at: null,
    auto_disable_at: null,
    unused_warning: false,
    synced_at: new Date().toISOString(),
    ...over,
  };
}

function credentials(over: Partial<Schemas['PartnerCredentials']> = {}): Schemas['PartnerCredentials'] {
  return { klarna_account_id: 'krn:partner:global:account:test:AURORA01', api_keys: [], client_identifiers: [], certificates: [], sync_error: '', max_origins: 100, ...over };
}

const path = `/tenants/${AURORA_ID}/credentials`;

describe('a partner’s credentials tab', () => {
  it('shows a new API key’s secret once, with copy and .txt download, and never again', async () => {
    const keys: Schemas['PartnerCredential'][] = [];
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: {
        [`GET ${path}`]: () => jsonResponse(credentials({ api_keys: keys })),
        [`POST ${path}/api-keys`]: () => {
          keys.push(key());
          return jsonResponse({ key: key(), secret: SECRET }, { status: 201 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp('/overview?tab=credentials');

    expect(await screen.findByRole('heading', { name: 'No API keys' })).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Create an API key' });
    await user.type(within(form).getByRole('textbox', { name: /New API key/ }), 'shop backend');
    await user.click(within(form).getByRole('button', { name: 'Create API key' }));

    const shown = await screen.findByRole('dialog', { name: 'API key “shop backend” created' });
    expect(within(shown).getByText(SECRET)).toBeInTheDocument();
    expect(within(shown).getByText(/You won’t see it again/)).toBeInTheDocument();
    expect(within(shown).getByRole('button', { name: 'Copy key' })).toBeInTheDocument();
    const download = within(shown).getByRole('link', { name: 'Download .txt' });
    expect(download).toHaveAttribute('download', 'klarna-api-key-8c1f2e3d-4b5a-4c6d-9e8f-0a1b2c3d4e5f.txt');
    expect(decodeURIComponent(download.getAttribute('href') ?? '')).toContain(SECRET);
    const post = sent.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({ description: 'shop backend' });
    expect(post?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{32}$/);

    await user.click(within(shown).getByRole('button', { name: 'I have saved it' }));
    await waitFor(() => expect(screen.queryByText(SECRET)).not.toBeInTheDocument());
    const table = await screen.findByRole('table', { name: 'API keys' });
    expect(within(table).getByText('shop backend')).toBeInTheDocument();
    expect(within(table).getByText('mia@aurora.test')).toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('asks before disabling, naming the key and saying it is final; cancelling sends nothing', async () => {
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: {
        [`GET ${path}`]: () => jsonResponse(credentials({ api_keys: [key()] })),
        [`POST ${path}/api-keys/${key().credential_id}/disable`]: () => jsonResponse(key({ status: 'DISABLED' })),
      },
    });
    const user = userEvent.setup();
    renderApp('/overview?tab=credentials');
    await user.click(await screen.findByRole('button', { name: 'Disable shop backend' }));
    let dialog = await screen.findByRole('dialog', { name: 'Disable API key “shop backend”?' });
    expect(within(dialog).getByText(/This cannot be undone/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Disable shop backend' }));
    dialog = await screen.findByRole('dialog', { name: 'Disable API key “shop backend”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Disable API key' }));
    await waitFor(() => expect(sent.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual([`/api/v1${path}/api-keys/${key().credential_id}/disable`]));
  });

  it('puts every invalid origin on its own row at once', async () => {
    stubApi({
      me: personas.merchantAdmin,
      handlers: {
        [`GET ${path}`]: () => jsonResponse(credentials()),
        [`POST ${path}/client-identifiers`]: () =>
          problemResponse(400, 'invalid', 'Please correct the highlighted fields.', [
            { field: 'origins[1]', message: 'must use https (http is allowed only for localhost)' },
            { field: 'origins[2]', message: 'must be only scheme and host (and port), without a path, query or user' },
          ]),
      },
    });
    const user = userEvent.setup();
    renderApp('/overview?tab=credentials');
    await user.click(await screen.findByRole('button', { name: 'Create client identifier' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create a client identifier' });
    await user.type(within(dialog).getByRole('textbox', { name: /Description/ }), 'web checkout');
    for (const o of ['https://*.shop.example', 'http://shop.example', 'https://shop.example/checkout']) {
      await user.type(within(dialog).getByRole('textbox', { name: 'Add an origin' }), `${o}{Enter}`);
    }
    await user.click(within(dialog).getByRole('button', { name: 'Create client identifier' }));
    expect(await within(dialog).findByText('must use https (http is allowed only for localhost)')).toBeInTheDocument();
    expect(within(dialog).getByText('must be only scheme and host (and port), without a path, query or user')).toBeInTheDocument();
    expect(within(dialog).getByRole('textbox', { name: 'Origin 2' })).toHaveAccessibleDescription('must use https (http is allowed only for localhost)');
  });

  it('is read-only for a role that may only read credentials', async () => {
    stubApi({ me: personas.auditor, handlers: { [`GET ${path}`]: () => jsonResponse(credentials({ api_keys: [key()] })) } });
    renderApp(`/partners/${AURORA_ID}?tab=credentials`);
    expect(await screen.findByRole('table', { name: 'API keys' })).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Create an API key' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Disable shop backend' })).not.toBeInTheDocument();
  });
});

describe('the credentials inventory', () => {
  it('lists every partner’s credentials with age and the warning before Klarna disables an unused key; filters live in the address', async () => {
    const now = Date.now();
    const old = key({
      credential_id: 'old-1',
      description: 'old integration',
      created_at: new Date(now - 49 * DAY).toISOString(),
      last_used_at: new Date(now - 49 * DAY).toISOString(),
      auto_disable_at: new Date(now - 49 * DAY + 61 * DAY).toISOString(),
      unused_warning: true,
      created_by: '',
    });
    const web = key({ tenant_id: BOREALIS_ID, tenant_slug: 'borealis', tenant_name: 'Borealis Bikes', credential_id: 'ci-1', kind: 'client_identifier', description: 'borealis web', client_id: 'klarna_test_client_abc', origins: ['https://borealis.example'] });
    const { sent } = stubApi({
      handlers: {
        'GET /credentials': (req) => {
          const kind = new URL(req.url, 'http://x').searchParams.get('kind');
          const items = [web, old].filter((c) => !kind || c.kind === kind);
          return jsonResponse({ items, next_cursor: null, now: new Date(now).toISOString() });
        },
      },
    });
    const user = userEvent.setup();
    const { router } = renderApp('/credentials');
    const table = await screen.findByRole('table', { name: 'Partner credentials' });
    expect(within(table).getByText('Unused 7 weeks — Klarna disables it in 12 days')).toBeInTheDocument();
    expect(within(table).getByText('7 weeks')).toBeInTheDocument();
    expect(within(table).getByText('klarna_test_client_abc')).toBeInTheDocument();
    expect(within(table).getByRole('link', { name: 'Borealis Bikes' })).toHaveAttribute('href', `/partners/${BOREALIS_ID}?tab=credentials`);

    const filters = screen.getByRole('form', { name: 'Credential filters' });
    await user.click(within(filters).getByRole('combobox', { name: 'Kind' }));
    await user.click(await screen.findByRole('option', { name: 'API key' }));
    await user.click(within(filters).getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Partner credentials' })).queryByText('borealis web')).not.toBeInTheDocument());
    expect(router.state.location.search).toBe('?kind=api_key');
    expect(sent.some((r) => r.url.startsWith('/api/v1/credentials?') && r.url.includes('kind=api_key'))).toBe(true);
  });
});
