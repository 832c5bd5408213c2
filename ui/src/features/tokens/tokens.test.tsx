import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi } from '@/test/render';

const SECRET = 'pdt_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

function token(status: Schemas['APIToken']['status'] = 'active'): Schemas['APIToken'] {
  return {
    id: 't-1',
    name: 'nightly export',
    tenant_id: AURORA_ID,
    roles: ['merchant-admin'],
    prefix: 'pdt_live_9f8e',
    created_at: '2026-11-21T10:00:00Z',
    expires_at: '2027-02-19T10:00:00Z',
    last_used_at: null,
    status,
  };
}

describe('API tokens', () => {
  it('shows a created token’s secret once, with a copy button, and never again', async () => {
    const items: Schemas['APIToken'][] = [];
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: {
        'GET /tokens': () => jsonResponse({ items }),
        'POST /tokens': () => {
          items.push(token());
          return jsonResponse({ token: token(), secret: SECRET }, { status: 201 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp('/settings/tokens');

    expect(await screen.findByRole('heading', { name: 'No API tokens yet' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    const form = await screen.findByRole('dialog', { name: 'Create an API token' });
    expect(within(form).getByRole('combobox', { name: /Tenant/ })).toHaveValue('Aurora Outfitters');
    await user.type(within(form).getByRole('textbox', { name: /Name/ }), 'nightly export');
    await user.click(within(form).getByRole('combobox', { name: /Roles/ }));
    // Only roles the user holds in that tenant can go on the token.
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(['merchant-admin']);
    await user.click(screen.getByRole('option', { name: 'merchant-admin' }));
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    const shown = await screen.findByRole('dialog', { name: 'API token “nightly export” created' });
    expect(within(shown).getByText(SECRET)).toBeInTheDocument();
    expect(within(shown).getByText(/You won’t see this again/)).toBeInTheDocument();
    expect(within(shown).getByRole('button', { name: 'Copy secret' })).toBeInTheDocument();
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ tenant_id: AURORA_ID, name: 'nightly export', roles: ['merchant-admin'], expires_in_days: 90 });

    await user.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByText(SECRET)).not.toBeInTheDocument());
    const table = await screen.findByRole('table', { name: 'Your API tokens' });
    expect(within(table).getByText('nightly export')).toBeInTheDocument();
    expect(within(table).getByText('pdt_live_9f8e…')).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('shows every invalid field at once, sends nothing, and never clamps the lifetime', async () => {
    const { sent } = stubApi({ me: personas.merchantAdmin, handlers: { 'GET /tokens': () => jsonResponse({ items: [] }) } });
    const user = userEvent.setup();
    renderApp('/settings/tokens');
    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    const form = await screen.findByRole('dialog', { name: 'Create an API token' });
    const days = within(form).getByRole('textbox', { name: /Expires after/ });
    await user.clear(days);
    await user.type(days, '999');
    await user.tab();
    // Not silently turned into 366.
    expect(days).toHaveValue('999');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    expect(await within(form).findByText('Give the token a name.')).toBeInTheDocument();
    expect(within(form).getByText('Choose at least one role.')).toBeInTheDocument();
    expect(within(form).getByText('At most 366 days.')).toBeInTheDocument();
    expect(within(form).getByRole('textbox', { name: /Name/ })).toHaveAttribute('aria-invalid', 'true');
    expect(days).toHaveAttribute('aria-invalid', 'true');
    expect(days).toHaveValue('999');
    expect(sent.some((r) => r.method === 'POST')).toBe(false);
  });

  it('puts the server’s field errors on the token form’s fields, all of them', async () => {
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: {
        'GET /tokens': () => jsonResponse({ items: [] }),
        'POST /tokens': () =>
          problemResponse(400, 'invalid', 'Check the token.', [
            { field: 'name', message: 'already used by another of your tokens' },
            { field: 'roles[0]', message: 'not held by the token that creates it' },
            { field: 'expires_in_days', message: 'beyond the lifetime of the token that creates it' },
          ]),
      },
    });
    const user = userEvent.setup();
    renderApp('/settings/tokens');
    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    const form = await screen.findByRole('dialog', { name: 'Create an API token' });
    await user.type(within(form).getByRole('textbox', { name: /Name/ }), 'nightly export');
    await user.click(within(form).getByRole('combobox', { name: /Roles/ }));
    await user.click(await screen.findByRole('option', { name: 'merchant-admin' }));
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    expect(await within(form).findByText('already used by another of your tokens')).toBeInTheDocument();
    expect(within(form).getByText('not held by the token that creates it')).toBeInTheDocument();
    expect(within(form).getByText('beyond the lifetime of the token that creates it')).toBeInTheDocument();
    expect(within(form).getByRole('textbox', { name: /Name/ })).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).queryByRole('alert')).not.toBeInTheDocument();
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('revokes a token only after confirming', async () => {
    let items = [token()];
    const { sent } = stubApi({
      me: personas.merchantAdmin,
      handlers: {
        'GET /tokens': () => jsonResponse({ items }),
        'DELETE /tokens/t-1': () => {
          items = [token('revoked')];
          return new Response(null, { status: 204 });
        },
      },
    });
    const user = userEvent.setup();
    renderApp('/settings/tokens');
    await user.click(await screen.findByRole('button', { name: 'Revoke nightly export' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revoke “nightly export”?' });
    expect(sent.some((r) => r.method === 'DELETE')).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Revoke token' }));
    expect(await screen.findByText('revoked')).toBeInTheDocument();
    expect(sent.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Revoke nightly export' })).not.toBeInTheDocument();
  });
});
