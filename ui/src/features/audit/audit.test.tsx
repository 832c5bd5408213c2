import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { AURORA_ID, personas } from '@/test/fixtures';
import { jsonResponse, renderApp, stubApi, type SentRequest } from '@/test/render';

function event(id: number, action: string, actor: string): Schemas['AuditEvent'] {
  return {
    id,
    occurred_at: `2026-11-21T10:0${id}:00Z`,
    actor_label: actor,
    action,
    tenant_id: AURORA_ID,
    tenant_name: 'Aurora Outfitters',
    target_type: 'user',
    target_id: `u-${id}`,
    diff: { role: { before: null, after: 'merchant-finance' } },
    request_id: `req-${id}`,
    ip: '127.0.0.1',
    user_agent: 'test',
  };
}

/** /audit in pages of two, keyset by cursor; filters echoed back as a check. */
function auditServer(req: SentRequest) {
  const q = new URL(req.url, 'http://x').searchParams;
  if (q.get('cursor') === 'after-2') return jsonResponse({ items: [event(1, 'session:login', 'admin@aurora.test')], next_cursor: null });
  return jsonResponse({ items: [event(3, 'user:grant_role', 'ada@acquirer.test'), event(2, 'session:login', 'ada@acquirer.test')], next_cursor: 'after-2' });
}

describe('audit log', () => {
  it('pages with "Load more" using next_cursor', async () => {
    const { sent } = stubApi({ me: personas.auditor, handlers: { 'GET /audit': auditServer } });
    const user = userEvent.setup();
    renderApp('/audit');
    const table = await screen.findByRole('table', { name: 'Audit events' });
    expect(within(table).getAllByRole('row')).toHaveLength(3); // header + 2
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('3 events — that is all.')).toBeInTheDocument();
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
    expect(sent.filter((r) => r.url.startsWith('/api/v1/audit')).map((r) => r.url)).toEqual(['/api/v1/audit?limit=50', '/api/v1/audit?cursor=after-2&limit=50']);
  });

  it('sends the filters to the list and to the CSV export link', async () => {
    const { sent } = stubApi({ me: personas.auditor, handlers: { 'GET /audit': auditServer } });
    const user = userEvent.setup();
    const { router } = renderApp('/audit');
    await screen.findByRole('table', { name: 'Audit events' });
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', '/api/v1/audit/export.csv');

    const filters = screen.getByRole('form', { name: 'Audit filters' });
    await user.type(within(filters).getByRole('textbox', { name: 'Actor' }), 'ada');
    await user.type(within(filters).getByRole('textbox', { name: 'Action' }), 'user:');
    await user.click(within(filters).getByRole('combobox', { name: 'Tenant' }));
    await user.click(await screen.findByRole('option', { name: 'Aurora Outfitters' }));
    await user.click(within(filters).getByRole('button', { name: 'Apply filters' }));

    const expected = `actor=ada&action=user%3A&tenant=${AURORA_ID}`;
    await screen.findByRole('table', { name: 'Audit events' });
    // In the address the tenant filter is not the tenant switcher's `tenant`.
    expect(router.state.location.search).toBe(`?actor=ada&action=user%3A&of_tenant=${AURORA_ID}`);
    expect(sent.at(-1)?.url).toBe(`/api/v1/audit?${expected}&limit=50`);
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', `/api/v1/audit/export.csv?${expected}`);
  });

  it('shows an event’s changes as pretty-printed JSON in a drawer', async () => {
    stubApi({ me: personas.auditor, handlers: { 'GET /audit': auditServer } });
    const user = userEvent.setup();
    renderApp('/audit');
    await user.click(await screen.findByRole('row', { name: /user:grant_role by ada@acquirer\.test/ }));
    const drawer = await screen.findByRole('dialog', { name: 'Audit event' });
    expect(within(drawer).getByLabelText('Changes (JSON)').textContent).toBe(
      JSON.stringify({ role: { before: null, after: 'merchant-finance' } }, null, 2),
    );
    expect(within(drawer).getByText('req-3')).toBeInTheDocument();
  });

  it('offers no CSV export without audit:export', async () => {
    stubApi({ me: personas.merchantAdmin, handlers: { 'GET /audit': auditServer } });
    renderApp('/audit');
    await screen.findByRole('table', { name: 'Audit events' });
    expect(screen.queryByRole('link', { name: 'Export CSV' })).not.toBeInTheDocument();
  });
});
