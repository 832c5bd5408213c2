// The settlements home: the weekly charts (GET /settlements/charts and their CSV) and a partner's
// monthly statement (GET /settlements/statement and its PDF).
import { queryOptions } from '@tanstack/react-query';
import { api, API_BASE, type Schemas } from '@/lib/api';

export type SettlementCharts = Schemas['SettlementCharts'];
export type SettlementWeek = Schemas['SettlementWeek'];
export type SettlementStatement = Schemas['SettlementStatement'];
export type CurrencyStatement = Schemas['CurrencyStatement'];

/** The charts of GET /settlements/charts.csv?chart=…, in the page's order. */
export type SettlementChart = 'net_by_week' | 'fee_share' | 'returns_chargebacks';

/** The window of the charts: from/to days (UTC), partners narrowing the scope. */
export interface ChartWindow {
  from?: string;
  to?: string;
  partner?: readonly string[];
}

function windowQuery(w: ChartWindow) {
  return { from: w.from || undefined, to: w.to || undefined, partner: w.partner?.length ? [...w.partner] : undefined };
}

export const settlementChartsQuery = (w: ChartWindow) =>
  queryOptions({
    queryKey: ['settlements', 'charts', w] as const,
    queryFn: ({ signal }) => api.get('/settlements/charts', { query: windowQuery(w), signal }),
  });

/** One chart's data as CSV, same window, one currency. */
export function settlementChartCsvUrl(chart: SettlementChart, w: ChartWindow, currency: string): string {
  const qs = new URLSearchParams({ chart, currency });
  for (const [key, value] of Object.entries(windowQuery(w))) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) qs.append(key, v);
  }
  return `${API_BASE}/settlements/charts.csv?${qs.toString()}`;
}

/** The weeks (Mondays) of the rows, in order, without gaps between the first and the last. */
export function weeksOf(rows: readonly SettlementWeek[]): string[] {
  const days = rows.map((r) => r.week).sort();
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return [];
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`) && out.length < 200; t += 7 * 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** The currencies of the rows, the one with the most payouts first. */
export function currenciesOf(rows: readonly SettlementWeek[]): string[] {
  const n = new Map<string, number>();
  for (const r of rows) n.set(r.currency, (n.get(r.currency) ?? 0) + r.payouts);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

export const statementQuery = (partner: string, month: string) =>
  queryOptions({
    queryKey: ['settlements', 'statement', partner, month] as const,
    queryFn: ({ signal }) => api.get('/settlements/statement', { query: { partner, month }, signal }),
    enabled: partner !== '' && /^\d{4}-\d{2}$/.test(month),
  });

/** Where the statement's PDF downloads from. */
export function statementPdfUrl(partner: string, month: string): string {
  return `${API_BASE}/settlements/statement.pdf?${new URLSearchParams({ partner, month }).toString()}`;
}

/** The month before the current one (YYYY-MM, UTC): the statement a finance team files next. */
export function lastMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}
