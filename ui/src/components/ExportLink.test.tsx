import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderInRouter } from '@/test/render';
import { ExportLink, fileNameOf } from './ExportLink';

describe('ExportLink', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('streams the CSV, counting its rows as they arrive, then saves it under the server’s file name', async () => {
    let push: (s: string) => void = () => {};
    let end: () => void = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        const enc = new TextEncoder();
        push = (s) => c.enqueue(enc.encode(s));
        end = () => c.close();
      },
    });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(body, { headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="payouts.csv"' } })));
    const saved: string[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => {} }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const user = userEvent.setup();
    renderInRouter(<ExportLink href="/api/v1/payouts/export.csv" />);
    const link = screen.getByRole('link', { name: 'Export CSV' });
    expect(link).toHaveAttribute('href', '/api/v1/payouts/export.csv');
    await user.click(link);
    push('ref,amount\nA,1\nB,2\n');
    expect(await screen.findByRole('link', { name: 'Exporting… 2 rows' })).toBeInTheDocument();
    push('C,3\n');
    expect(await screen.findByRole('link', { name: 'Exporting… 3 rows' })).toBeInTheDocument();
    end();
    await waitFor(() => expect(saved).toEqual(['payouts.csv']));
    expect(await screen.findByRole('link', { name: 'Export CSV' })).toBeInTheDocument();
    click.mockRestore();
  });

  it('names the file from the header, or from the address', () => {
    expect(fileNameOf('attachment; filename="lines-KL8.csv"', '/x.csv')).toBe('lines-KL8.csv');
    expect(fileNameOf(null, '/api/v1/audit/export.csv?a=1')).toBe('export.csv');
  });
});
