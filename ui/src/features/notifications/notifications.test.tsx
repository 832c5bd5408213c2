import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { personas } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi } from '@/test/render';

function notice(id: string, title: string, read = false): Schemas['Notification'] {
  return {
    id,
    tenant_id: null,
    kind: 'dispute_reminder',
    title,
    body: 'Respond before 3 Dec 2026 09:00 UTC.',
    link: `/disputes/dsp_${id}`,
    created_at: '2026-12-01T09:00:00Z',
    read_at: read ? '2026-12-01T10:00:00Z' : null,
  };
}

/** A server holding two notices, one unread, that marks them read as asked. */
function inbox() {
  const items = [notice('n1', 'Dispute dsp_n1: deadline in 2 days'), notice('n2', 'Dispute dsp_n2: deadline in 12 hours', true)];
  const page = () => jsonResponse({ items, next_cursor: null, unread: items.filter((n) => !n.read_at).length });
  return {
    'GET /notifications': page,
    'POST /notifications/n1/read': () => {
      items[0] = { ...notice('n1', items[0]!.title), read_at: '2026-12-01T11:00:00Z' };
      return new Response(null, { status: 204 });
    },
    'POST /notifications/read-all': () => {
      items.forEach((n, i) => (items[i] = { ...n, read_at: n.read_at ?? '2026-12-01T11:00:00Z' }));
      return new Response(null, { status: 204 });
    },
  };
}

describe('notification bell', () => {
  it('shows the unread count in the header', async () => {
    stubApi({ me: personas.acquirerAdmin, handlers: inbox() });
    renderApp('/');
    expect(await screen.findByRole('button', { name: 'Notifications, 1 unread' })).toBeInTheDocument();
  });

  it('opening a notice marks it read and follows its link to the dispute', async () => {
    const { sent } = stubApi({ me: personas.acquirerAdmin, handlers: inbox() });
    const user = userEvent.setup();
    const { router } = renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    await user.click(await screen.findByRole('button', { name: 'Unread: Dispute dsp_n1: deadline in 2 days' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/disputes/dsp_n1'));
    expect(sent.some((r) => r.method === 'POST' && r.url === '/api/v1/notifications/n1/read')).toBe(true);
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeInTheDocument();
  });

  it('"Mark all read" clears the count', async () => {
    stubApi({ me: personas.acquirerAdmin, handlers: inbox() });
    const user = userEvent.setup();
    renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    await user.click(await screen.findByRole('button', { name: 'Mark all read' }));
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeInTheDocument();
  });
});

describe('e-mail choices', () => {
  it('lists every kind of notice, saves the chosen ones and the digest, and keeps them on a refused save', async () => {
    let saved: unknown;
    let refuse = true;
    const { sent } = stubApi({
      me: personas.merchantFinance,
      handlers: {
        'GET /notifications': () => jsonResponse({ items: [], next_cursor: null, unread: 0 }),
        'PUT /notifications/preferences': (req) => {
          if (refuse) {
            refuse = false;
            return problemResponse(400, 'invalid', 'Check the choices.', [{ field: 'email_kinds[0]', message: 'one of dispute_reminder, …' }]);
          }
          saved = req.body;
          return jsonResponse({ ...(req.body as object), kinds: [] });
        },
      },
    });
    renderApp('/settings');
    await screen.findByRole('form', { name: 'E-mail notifications' });
    for (const label of ['Dispute deadline reminders', 'Onboardings done', 'Payment product status changes', 'Payouts arrived']) {
      expect(screen.getByRole('checkbox', { name: label })).not.toBeChecked();
    }
    await userEvent.click(screen.getByRole('checkbox', { name: 'Payouts arrived' }));
    await userEvent.click(screen.getByRole('switch', { name: /digest/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Save e-mail choices' }));
    expect(await screen.findByText('one of dispute_reminder, …')).toBeInTheDocument();
    expect(screen.getByRole('checkbox', { name: 'Payouts arrived' })).toBeChecked();
    await userEvent.click(screen.getByRole('button', { name: 'Save e-mail choices' }));
    await waitFor(() => expect(saved).toEqual({ email_kinds: ['payout_arrived'], digest: true }));
    expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });
});
