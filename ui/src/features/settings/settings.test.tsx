import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { personas } from '@/test/fixtures';
import { renderApp, stubApi } from '@/test/render';

describe('settings', () => {
  it('shows which role allows which action, from /roles', async () => {
    stubApi({ me: personas.merchantDisputes });
    renderApp('/settings');
    const table = await screen.findByRole('table', { name: 'Role permissions' });
    expect(within(table).getByLabelText('merchant-disputes may dispute:respond')).toHaveTextContent('✓');
    expect(within(table).getByLabelText('merchant-disputes may not settlement:read')).not.toHaveTextContent('✓');
    expect(within(table).getByLabelText('auditor may audit:export')).toHaveTextContent('✓');
    expect(within(table).getAllByRole('rowheader').map((th) => th.textContent)).toContain('user:manage');
  });

  it('links to the user and token pages only when the role allows them', async () => {
    stubApi({ me: personas.merchantDisputes });
    renderApp('/settings');
    await screen.findByRole('table', { name: 'Role permissions' });
    const main = screen.getByRole('main');
    expect(within(main).getByRole('link', { name: 'API tokens' })).toHaveAttribute('href', '/settings/tokens');
    expect(within(main).queryByRole('link', { name: 'Users & roles' })).not.toBeInTheDocument();
  });
});
