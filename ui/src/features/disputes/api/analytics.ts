// Dispute analytics: the filters as the address and the API take them, the query, each chart's CSV
// address, and the month axis the charts share.
import { queryOptions } from '@tanstack/react-query';
import { api, API_BASE, type Schemas } from '@/lib/api';
import { type ParamSpec, type UrlValues } from '@/lib/urlState';
import { listOf } from './disputes';

export type DisputeAnalytics = Schemas['DisputeAnalytics'];
export type WinRate = Schemas['DisputeWinRate'];

/** The analytics' filters in the address: from/to dates, partners (comma-separated), one currency. */
export const ANALYTICS_PARAMS = {
  from: 'text',
  to: 'text',
  partner: 'text',
  currency: 'text',
} as const satisfies ParamSpec;
export type AnalyticsFilters = UrlValues<typeof ANALYTICS_PARAMS>;

/** The charts of GET /disputes/analytics.csv?chart=…, in the page's order. */
export const ANALYTICS_CHARTS = ['win_rate_by_reason', 'win_rate_by_partner', 'win_rate_by_month', 'amounts', 'response_time', 'states_by_week'] as const;
export type AnalyticsChart = (typeof ANALYTICS_CHARTS)[number];

/** The address's filters as the API's query (partners repeated). */
function apiQuery(f: AnalyticsFilters) {
  const partner = listOf(f.partner);
  return {
    from: f.from || undefined,
    to: f.to || undefined,
    partner: partner.length ? partner : undefined,
    currency: f.currency?.trim() ? f.currency.trim().toUpperCase() : undefined,
  };
}

export const analyticsQuery = (f: AnalyticsFilters) =>
  queryOptions({
    queryKey: ['disputes', 'analytics', f] as const,
    queryFn: ({ signal }) => api.get('/disputes/analytics', { query: apiQuery(f), signal }),
  });

/** One chart's data as CSV, with the same filters. */
export function analyticsCsvUrl(chart: AnalyticsChart, f: AnalyticsFilters): string {
  const qs = new URLSearchParams({ chart });
  for (const [key, value] of Object.entries(apiQuery(f))) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) qs.append(key, v);
  }
  return `${API_BASE}/disputes/analytics.csv?${qs.toString()}`;
}

/** Every month (YYYY-MM) from the month of `from` to the month of `to` (dates YYYY-MM-DD), so an axis has no hidden gaps. */
export function monthsBetween(from: string, to: string): string[] {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  if (!fy || !fm || !ty || !tm) return [];
  const out: string[] = [];
  for (let y = fy, m = fm; y < ty || (y === ty && m <= tm); m === 12 ? ((y += 1), (m = 1)) : (m += 1)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (out.length > 48) break;
  }
  return out;
}

/** Win rates as a ranking: highest first, groups with nothing decided last. */
export function ranked(rows: readonly WinRate[]): WinRate[] {
  return [...rows].sort((a, b) => (b.win_rate ?? -1) - (a.win_rate ?? -1) || b.won + b.lost - (a.won + a.lost) || a.label.localeCompare(b.label));
}
