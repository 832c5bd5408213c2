import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { Chart, niceTicks } from './Chart';

const weeks = ['2026-11-02', '2026-11-09', '2026-11-16'];

describe('Chart', () => {
  it('shows every value in its table and on its marks, with a summary and a legend', () => {
    renderWithProviders(
      <Chart
        title="Disputes by week"
        kind="bar"
        categories={weeks}
        categoryAxisLabel="Week"
        series={[
          { key: 'opened', label: 'Opened', values: [4, 0, 7] },
          { key: 'closed', label: 'Closed', values: [1, 2, null] },
          { key: 'open', label: 'Open at the end', values: [3, 1, 8], type: 'line' },
        ]}
        format={(v) => `${v} disputes`}
        csvHref="/api/v1/disputes/analytics.csv?chart=states_by_week"
      />,
    );
    const section = screen.getByRole('region', { name: 'Disputes by week' });
    const img = within(section).getByRole('img');
    expect(img).toHaveAccessibleName(/Disputes by week\. Bar and line chart of Opened, Closed, Open at the end over 3 categories, 2026-11-02 to 2026-11-16/);

    const table = within(section).getByRole('table', { name: 'Disputes by week' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Week', 'Opened', 'Closed', 'Open at the end']);
    const row = within(table).getByRole('row', { name: /2026-11-16/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['7 disputes', '—', '8 disputes']);

    // Each bar and point carries its value (the browser shows it on hover); no bar where there is no value.
    const titles = [...img.querySelectorAll('title')].map((t) => t.textContent);
    expect(titles).toContain('Opened, 2026-11-02: 4 disputes');
    expect(titles).toContain('Closed, 2026-11-09: 2 disputes');
    expect(titles).toContain('Open at the end, 2026-11-16: 8 disputes');
    expect(titles.filter((t) => t?.startsWith('Closed'))).toHaveLength(2);
    expect(img.querySelectorAll('[data-series="open"] circle')).toHaveLength(3);

    const legend = section.querySelector('[data-legend]') as HTMLElement;
    expect([...legend.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['Opened', 'Closed', 'Open at the end']);

    // Hovering a week shows its values together.
    fireEvent.mouseEnter(img.querySelectorAll('rect[fill="transparent"]')[0]!);
    expect(within(section).getByText('Opened: 4 disputes')).toBeInTheDocument();
    expect(within(section).getByText('Closed: 1 disputes')).toBeInTheDocument();
  });

  it('links its CSV for download', () => {
    renderWithProviders(
      <Chart title="Win rate by reason" kind="hbar" categories={['a']} series={[{ key: 'r', label: 'Win rate', values: [0.5] }]} csvHref="/api/v1/disputes/analytics.csv?chart=win_rate_by_reason&currency=SEK" />,
    );
    const link = within(screen.getByRole('region', { name: 'Win rate by reason' })).getByRole('link', { name: 'Download CSV: Win rate by reason' });
    expect(link).toHaveAttribute('href', '/api/v1/disputes/analytics.csv?chart=win_rate_by_reason&currency=SEK');
    expect(link).toHaveAttribute('download');
  });

  it('writes each ranking row with its label and value, formatted with the row it belongs to', () => {
    renderWithProviders(
      <Chart
        title="Amounts"
        kind="hbar"
        scalePerCategory
        categories={['SEK', 'EUR']}
        series={[
          { key: 'at_stake', label: 'At stake', values: [129900, 5000] },
          { key: 'lost', label: 'Lost', values: [0, 2500] },
        ]}
        format={(v, at) => `${at.category} ${v / 100}`}
      />,
    );
    const section = screen.getByRole('region', { name: 'Amounts' });
    const svg = within(section).getByRole('img');
    // The written values beside the bars, each in its row's currency.
    const eur = svg.querySelector('[data-category="EUR"]') as SVGElement;
    expect(eur.textContent).toContain('EUR');
    expect(eur.textContent).toContain('EUR 50');
    expect(eur.textContent).toContain('EUR 25');
    // Each currency on its own scale: the largest bar of every row is as long as the others' largest.
    const width = (cat: string, key: string) => Number(svg.querySelector(`[data-category="${cat}"] [data-series="${key}"] rect`)?.getAttribute('width'));
    expect(width('SEK', 'at_stake')).toBeCloseTo(width('EUR', 'at_stake'));
    expect(width('EUR', 'lost')).toBeCloseTo(width('EUR', 'at_stake') / 2);
    expect(within(section).queryByRole('link')).not.toBeInTheDocument();
  });

  it('says so when there is nothing to draw, and keeps its CSV link', () => {
    renderWithProviders(
      <Chart
        title="Response time"
        kind="line"
        categories={['2026-10', '2026-11']}
        series={[{ key: 'median', label: 'Median', values: [null, null] }]}
        csvHref="/x.csv"
        empty="No dispute has been answered yet."
      />,
    );
    const section = screen.getByRole('region', { name: 'Response time' });
    expect(within(section).getByText('No dispute has been answered yet.')).toBeInTheDocument();
    expect(within(section).queryByRole('img')).not.toBeInTheDocument();
    expect(within(section).queryByRole('table')).not.toBeInTheDocument();
    expect(within(section).getByRole('link', { name: /Download CSV/ })).toHaveAttribute('href', '/x.csv');
  });

  it('draws floating bars from their base, for a waterfall of sales → fees → returns → net', () => {
    renderWithProviders(
      <Chart
        title="From sales to payout"
        kind="bar"
        categories={['sales', 'fees', 'returns', 'net']}
        series={[{ key: 'step', label: 'Amount', values: [1000, -100, -50, 850], base: [0, 1000, 900, 0] }]}
        format={(v) => `${v} SEK`}
      />,
    );
    const svg = within(screen.getByRole('region', { name: 'From sales to payout' })).getByRole('img');
    const bar = (c: string) => {
      const r = svg.querySelector(`[data-category="${c}"] rect`)!;
      const y = Number(r.getAttribute('y'));
      return { top: y, bottom: y + Number(r.getAttribute('height')) };
    };
    // The fees hang from the top of sales, the returns from the bottom of the fees; net stands on zero.
    expect(bar('fees').top).toBeCloseTo(bar('sales').top);
    expect(bar('returns').top).toBeCloseTo(bar('fees').bottom);
    expect(bar('net').bottom).toBeCloseTo(bar('sales').bottom);
    expect(bar('net').top).toBeCloseTo(bar('returns').bottom);
    expect(within(screen.getByRole('table', { name: 'From sales to payout' })).getByRole('row', { name: /fees/ })).toHaveTextContent('-100 SEK');
  });

  it('picks round axis ticks', () => {
    expect(niceTicks(0, 7).ticks).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, 1).ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(-3, 10).min).toBeLessThanOrEqual(-3);
    // Counts: whole numbers only (not 2.5, 7.5).
    expect(niceTicks(0, 9, 5).ticks).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(niceTicks(0, 9, 5, true).ticks).toEqual([0, 5, 10]);
    expect(niceTicks(0, 2, 5, true).ticks).toEqual([0, 1, 2]);
  });
});
