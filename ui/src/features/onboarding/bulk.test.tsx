import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '@/lib/api';
import { jsonResponse, renderApp, stubApi } from '@/test/render';

type Run = Schemas['BulkRun'];
type Row = Schemas['BulkRow'];
const RUN = '22222222-2222-4333-8444-555555555555';

function run(extra: Partial<Run> = {}): Run {
  return {
    id: RUN,
    filename: 'partners.csv',
    status: 'validated',
    total_rows: 4,
    valid_rows: 3,
    invalid_rows: 1,
    progress: { pending: 3, submitted: 0, succeeded: 0, failed: 0 },
    created_at: '2026-12-02T10:00:00Z',
    ...extra,
  };
}

function row(n: number, extra: Partial<Row> = {}): Row {
  return { row: n, reference: `NW-${n}`, status: 'pending', errors: [], draft_status: '', klarna_account_id: '', last_error: '', ...extra };
}

const BAD = row(3, {
  status: 'invalid',
  errors: [
    { field: 'payment_account_default_mcc', message: 'A merchant category code is 4 digits, such as 5941.' },
    { field: 'contact_email', message: 'This is not an e-mail address, such as name@example.com.' },
  ],
});

describe('bulk onboarding', () => {
  it('uploads a CSV and opens its dry run', async () => {
    const user = userEvent.setup();
    const { sent } = stubApi({
      handlers: {
        'GET /onboarding/bulk': () => jsonResponse({ items: [] }),
        'POST /onboarding/bulk': () => jsonResponse(run(), { status: 201 }),
        [`GET /onboarding/bulk/${RUN}`]: () => jsonResponse(run()),
        [`GET /onboarding/bulk/${RUN}/rows`]: () => jsonResponse({ items: [row(2), BAD] }),
      },
    });
    const { router } = renderApp('/onboarding/bulk');
    expect(await screen.findByRole('link', { name: 'CSV template' })).toHaveAttribute('href', '/api/v1/onboarding/bulk/template.csv');
    const file = new File(['partner_account_reference\nNW-2\n'], 'partners.csv', { type: 'text/csv' });
    // Mantine's FileInput is a button in front of a hidden file input.
    expect(screen.getByRole('button', { name: /Upload the filled-in file/ })).toBeInTheDocument();
    const input = document.querySelector<HTMLInputElement>('input[type="file"]');
    if (!input) throw new Error('no file input');
    await user.upload(input, file);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/onboarding/bulk/${RUN}`));
    const post = sent.find((r) => r.method === 'POST');
    expect(post?.url).toBe('/api/v1/onboarding/bulk?filename=partners.csv');
    expect(post?.headers.get('Content-Type')).toBe('text/csv');
    expect(post?.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('shows the dry run’s counts and every error of every row, filters invalid rows, and starts with a live progress bar', async () => {
    const user = userEvent.setup();
    let current = run();
    const { sent } = stubApi({
      handlers: {
        [`GET /onboarding/bulk/${RUN}`]: () => jsonResponse(current),
        [`GET /onboarding/bulk/${RUN}/rows`]: (req) => jsonResponse({ items: req.url.includes('status=invalid') ? [BAD] : [row(2), BAD, row(4), row(5)] }),
        [`POST /onboarding/bulk/${RUN}/start`]: () => {
          current = run({ status: 'running', progress: { pending: 1, submitted: 1, succeeded: 1, failed: 0 } });
          return jsonResponse(current, { status: 202 });
        },
      },
    });
    renderApp(`/onboarding/bulk/${RUN}`);
    expect(await screen.findByTestId('count-invalid')).toHaveTextContent('1');
    expect(screen.getByTestId('count-valid')).toHaveTextContent('3');

    const table = await screen.findByRole('table', { name: 'Rows of the file' });
    await within(table).findByText('payment_account_default_mcc');
    expect(within(table).getByText('A merchant category code is 4 digits, such as 5941.')).toBeInTheDocument();
    expect(within(table).getByText('contact_email')).toBeInTheDocument();

    await user.click(screen.getByRole('radio', { name: 'Invalid only' }));
    await waitFor(() => expect(sent.some((r) => r.url.includes('/rows?status=invalid'))).toBe(true));
    await waitFor(() => expect(within(table).queryByText('NW-2')).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Start onboarding 3 partners' }));
    expect(await screen.findByTestId('bulk-progress-text')).toHaveTextContent('1 of 3 finished');
    expect(screen.getByRole('progressbar', { name: 'Progress' })).toHaveAttribute('aria-valuenow', '1');

    // The run goes on while the page polls it.
    current = run({ status: 'done', progress: { pending: 0, submitted: 0, succeeded: 2, failed: 1 }, finished_at: '2026-12-02T10:02:00Z' });
    expect(await screen.findByText(/3 of 3 finished — 2 onboarded, 1 failed.*Done\./, {}, { timeout: 4000 })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Results CSV' })).toHaveAttribute('href', `/api/v1/onboarding/bulk/${RUN}/results.csv`);
  });
});
