import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api';
import { renderWithProviders } from '@/test/render';
import { ErrorBoundary } from './ErrorBoundary';

describe('ErrorBoundary', () => {
  it('shows a readable message and renders the page again on retry', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const user = userEvent.setup();
    let broken = true;
    function Page() {
      if (broken) throw new ApiError({ type: 'about:blank', title: 'Partner list is unavailable', status: 503, request_id: 'req-42' });
      return <p>Partner list</p>;
    }
    const onReset = vi.fn();
    renderWithProviders(
      <ErrorBoundary onReset={onReset}>
        <Page />
      </ErrorBoundary>,
    );

    expect(screen.getByRole('alert')).toHaveTextContent('Partner list is unavailable');
    expect(screen.getByText('req-42')).toBeInTheDocument();

    broken = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onReset).toHaveBeenCalledOnce();
    expect(screen.getByText('Partner list')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('explains a page chunk that failed to load', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    function Page(): never {
      throw new TypeError('Failed to fetch dynamically imported module: /assets/PartnersPage-abc.js');
    }
    renderWithProviders(
      <ErrorBoundary>
        <Page />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(/reloading the page usually fixes this/);
    expect(screen.getByRole('button', { name: 'Reload page' })).toBeInTheDocument();
  });
});
