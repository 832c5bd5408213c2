import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { personas } from '@/test/fixtures';
import { renderApp, stubApi } from '@/test/render';
import { PHONE_QUERY } from '@/lib/phone';

/** Pretends the viewport is phone-sized: PHONE_QUERY matches, like a 360 px screen. */
function phoneViewport() {
  const real = window.matchMedia;
  vi.stubGlobal('matchMedia', (query: string) => ({ ...real(query), matches: query === PHONE_QUERY }));
}

describe('layout at phone width', () => {
  it('keeps the theme switch and the account menu (with Sign out) in the header, the tenant switcher in the burger menu', async () => {
    phoneViewport();
    stubApi({ me: personas.acquirerAdmin });
    const user = userEvent.setup();
    renderApp('/partners');
    const header = await screen.findByRole('banner');
    expect(within(header).getByRole('button', { name: /Switch to (dark|light) theme/ })).toBeInTheDocument();
    expect(within(header).queryAllByLabelText('Tenant')).toHaveLength(0);
    const burger = within(header).getByRole('button', { name: 'Toggle navigation' });
    expect(burger).toHaveAttribute('aria-expanded', 'false');

    await user.click(burger);
    expect(burger).toHaveAttribute('aria-expanded', 'true');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getAllByLabelText('Tenant').length).toBeGreaterThan(0);
    expect(within(nav).getByRole('link', { name: /Partners/ })).toBeInTheDocument();

    await user.click(within(header).getByRole('button', { name: 'Account menu for Ada Admin' }));
    expect(await screen.findByRole('menuitem', { name: 'Sign out' })).toBeVisible();
  });

  it('lists Payments in the drawer, without its description like every item there', async () => {
    phoneViewport();
    const me = { ...personas.acquirerAdmin, tenants: personas.acquirerAdmin.tenants.map((t) => ({ ...t, actions: [...t.actions, 'payment:read'] })) };
    stubApi({ me });
    const user = userEvent.setup();
    renderApp('/partners');
    await user.click(await screen.findByRole('button', { name: 'Toggle navigation' }));
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const payments = within(nav).getByRole('link', { name: 'Payments' });
    expect(payments).toHaveAttribute('href', '/payments');
    expect(within(nav).queryByText('Every payment and what happened to it')).not.toBeInTheDocument();
    expect(within(nav).getAllByRole('link').map((a) => a.getAttribute('href'))).toContain('/settings');
  });

  it('shows the tenant switcher in the header and no burger on a wide screen', async () => {
    stubApi({ me: personas.acquirerAdmin });
    renderApp('/partners');
    const header = await screen.findByRole('banner');
    expect(within(header).getAllByLabelText('Tenant').length).toBeGreaterThan(0);
    expect(within(header).queryByRole('button', { name: 'Toggle navigation' })).not.toBeInTheDocument();
  });
});
