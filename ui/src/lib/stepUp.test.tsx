import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AURORA_ID, personas, tenantUsers } from '@/test/fixtures';
import { jsonResponse, problemResponse, renderApp, stubApi, type SentRequest } from '@/test/render';
import { browser } from './browser';
import { PENDING_KEY, type PendingAction } from './stepUp';

const invitation = { id: 'inv-1', email: 'new@aurora.test', roles: ['merchant-disputes'], created_at: '2026-11-21T10:00:00Z', expires_at: '2026-12-05T10:00:00Z' };

/** The server as it behaves around a step-up: the first invitation needs a fresh login, later ones succeed. */
function server(options: { stepUp: boolean }) {
  return stubApi({
    me: personas.merchantAdmin,
    handlers: {
      [`GET /tenants/${AURORA_ID}/users`]: () => jsonResponse(tenantUsers('Aurora Outfitters')),
      [`POST /tenants/${AURORA_ID}/invitations`]: () =>
        options.stepUp
          ? problemResponse(401, 'step_up_required', 'This action needs a recent login. Confirm it’s you to continue.')
          : jsonResponse(invitation, { status: 201 }),
    },
  });
}

const posts = (sent: SentRequest[]) => sent.filter((r) => r.method === 'POST');

describe('step-up', () => {
  it('parks the mutation and sends the browser to a fresh login that returns with resume=1', async () => {
    const assign = vi.spyOn(browser, 'assign').mockImplementation(() => {});
    const { sent } = server({ stepUp: true });
    const user = userEvent.setup();
    renderApp('/settings/users');

    await user.click(await screen.findByRole('button', { name: 'Invite user' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: 'Email' }), 'new@aurora.test');
    await user.click(within(dialog).getByRole('combobox', { name: 'Roles' }));
    await user.click(await screen.findByRole('option', { name: 'merchant-disputes' }));
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));

    await waitFor(() => expect(assign).toHaveBeenCalledOnce());
    expect(assign).toHaveBeenCalledWith('/auth/login?step_up=1&login_hint=mia%40aurora.test&return_to=%2Fsettings%2Fusers%3Fresume%3D1');
    const parked = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as PendingAction;
    expect(parked).toMatchObject({
      kind: 'invitation:create',
      label: 'Invite new@aurora.test',
      method: 'post',
      path: '/tenants/{tenant}/invitations',
      options: { path: { tenant: AURORA_ID }, body: { email: 'new@aurora.test', roles: ['merchant-disputes'] } },
      userId: personas.merchantAdmin.user.id,
    });
    expect(parked.options.idempotencyKey).toBe(posts(sent)[0]?.headers.get('Idempotency-Key'));
    // No error is shown: the page is on its way to the login.
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('resumes the parked mutation once after the login, with a notification, and drops resume=1', async () => {
    const parked: PendingAction = {
      kind: 'invitation:create',
      label: 'Invite new@aurora.test',
      method: 'post',
      path: '/tenants/{tenant}/invitations',
      options: { path: { tenant: AURORA_ID }, body: { email: 'new@aurora.test', roles: ['merchant-disputes'] }, idempotencyKey: 'k-1' },
      userId: personas.merchantAdmin.user.id,
      createdAt: Date.now() - 30_000,
    };
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(parked));
    const { sent } = server({ stepUp: false });
    const { router, unmount } = renderApp('/settings/users?resume=1');

    expect(await screen.findByText('Done: Invite new@aurora.test.')).toBeInTheDocument();
    const [post] = posts(sent);
    expect(posts(sent)).toHaveLength(1);
    expect(post?.url).toBe(`/api/v1/tenants/${AURORA_ID}/invitations`);
    expect(post?.body).toEqual({ email: 'new@aurora.test', roles: ['merchant-disputes'] });
    expect(post?.headers.get('Idempotency-Key')).toBe('k-1');
    expect(router.state.location.search).toBe('');
    expect(sessionStorage.getItem(PENDING_KEY)).toBeNull();

    // Coming back to the same address again does not repeat it.
    unmount();
    renderApp('/settings/users?resume=1');
    expect(await screen.findByRole('table', { name: 'Users of Aurora Outfitters' })).toBeInTheDocument();
    expect(posts(sent)).toHaveLength(1);
  });

  it('does not loop: a resumed action that still needs a step-up is reported, not retried', async () => {
    const assign = vi.spyOn(browser, 'assign').mockImplementation(() => {});
    sessionStorage.setItem(
      PENDING_KEY,
      JSON.stringify({
        kind: 'invitation:create',
        label: 'Invite new@aurora.test',
        method: 'post',
        path: '/tenants/{tenant}/invitations',
        options: { path: { tenant: AURORA_ID }, body: { email: 'new@aurora.test', roles: ['merchant-disputes'] } },
        userId: personas.merchantAdmin.user.id,
        createdAt: Date.now(),
      } satisfies PendingAction),
    );
    server({ stepUp: true });
    renderApp('/settings/users?resume=1');
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not finish: Invite new@aurora.test');
    expect(assign).not.toHaveBeenCalled();
  });

  it('drops a parked action of another user instead of running it', async () => {
    sessionStorage.setItem(
      PENDING_KEY,
      JSON.stringify({
        kind: 'invitation:create',
        label: 'Invite new@aurora.test',
        method: 'post',
        path: '/tenants/{tenant}/invitations',
        options: { path: { tenant: AURORA_ID }, body: { email: 'x@aurora.test', roles: ['merchant-disputes'] } },
        userId: 'someone-else',
        createdAt: Date.now(),
      } satisfies PendingAction),
    );
    const { sent } = server({ stepUp: false });
    renderApp('/settings/users?resume=1');
    expect(await screen.findByText(/was started by another user and was dropped/)).toBeInTheDocument();
    expect(posts(sent)).toHaveLength(0);
    expect(sessionStorage.getItem(PENDING_KEY)).toBeNull();
  });
});
