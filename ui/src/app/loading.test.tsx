import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp, stubMeta } from '@/test/render';

// Its own file: vitest isolates modules per file, so the page chunk is not loaded yet.
describe('route-level code splitting', () => {
  it('shows the loader while a page’s code loads, then the page', async () => {
    stubMeta();
    renderApp('/audit');
    expect(await screen.findByLabelText('Loading page')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Loading page')).not.toBeInTheDocument();
  });
});
