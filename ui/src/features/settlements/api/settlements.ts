// Payouts, their lines and the search across lines: the filters as the address keeps them, the queries
// (keyset pages) and the export addresses.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, API_BASE, type Schemas } from '@/lib/api';
import { type ParamSpec, type UrlValues } from '@/lib/urlState';

export type PayoutSummary = Schemas['PayoutSummary'];
export type PayoutDetail = Schemas['PayoutDetail'];
export type PayoutTotals = Schemas['PayoutCurrencyTotals'];
export type SettlementLine = Schemas['SettlementLine'];

/** The payout list's filters in the address; partner and currency comma-separated. */
export const PAYOUT_PARAMS = { partner: 'text', currency: 'text', from: 'text', to: 'text', reconciled: ['true', 'false'] } as const satisfies ParamSpec;
export type PayoutFilters = UrlValues<typeof PAYOUT_PARAMS>;

/** A payout's line filters in the address; type comma-separated. */
export const LINE_PARAMS = { type: 'text', order_id: 'text', capture_id: 'text', refund_id: 'text' } as const satisfies ParamSpec;
export type LineFilters = UrlValues<typeof LINE_PARAMS>;

const list = (v: string | undefined) => {
  const out = (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return out.length ? out : undefined;
};

function payoutQuery(f: PayoutFilters) {
  return { partner: list(f.partner), currency: list(f.currency?.toUpperCase()), from: f.from || undefined, to: f.to || undefined, reconciled: f.reconciled };
}

function lineQuery(f: LineFilters) {
  return { type: list(f.type?.toUpperCase()), order_id: f.order_id || undefined, capture_id: f.capture_id || undefined, refund_id: f.refund_id || undefined };
}

/** The query string of an API query (repeatable parameters repeated). */
function qs(query: Record<string, string | readonly string[] | undefined>): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== '') out.append(key, v as string);
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

export const payoutsQuery = (f: PayoutFilters) =>
  infiniteQueryOptions({
    queryKey: ['settlements', 'payouts', f] as const,
    queryFn: ({ signal, pageParam }) => api.get('/payouts', { query: { ...payoutQuery(f), cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });

export const payoutsExportUrl = (f: PayoutFilters) => `${API_BASE}/payouts/export.csv${qs(payoutQuery(f))}`;

const ref = (r: string) => encodeURIComponent(r);

export const payoutDetailQuery = (reference: string) =>
  queryOptions({
    queryKey: ['settlements', 'payout', reference] as const,
    queryFn: ({ signal }) => api.get('/payouts/{payout}', { path: { payout: reference }, signal }),
  });

export const payoutLinesQuery = (reference: string, f: LineFilters) =>
  infiniteQueryOptions({
    queryKey: ['settlements', 'payout', reference, 'lines', f] as const,
    queryFn: ({ signal, pageParam }) => api.get('/payouts/{payout}/lines', { path: { payout: reference }, query: { ...lineQuery(f), cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });

export const payoutLinesExportUrl = (reference: string, f: LineFilters) => `${API_BASE}/payouts/${ref(reference)}/lines/export.csv${qs(lineQuery(f))}`;

/** Klarna's own report of the payout, passed through: its CSV or its PDF. */
export const klarnaReportUrl = (reference: string, kind: 'csv' | 'pdf') => `${API_BASE}/payouts/${ref(reference)}/klarna.${kind}`;

export const lineSearchQuery = (q: string) =>
  infiniteQueryOptions({
    queryKey: ['settlements', 'search', q] as const,
    queryFn: ({ signal, pageParam }) => api.get('/settlement-lines', { query: { q, cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
    enabled: q.trim() !== '',
  });

/** A line type as people read it: "Sale", "Fee refund"; unknown types as Klarna sent them. */
export function lineTypeLabel(type: string): string {
  const known: Record<string, string> = {
    SALE: 'Sale',
    RETURN: 'Return',
    REVERSAL: 'Chargeback',
    FEE: 'Fee',
    FEE_REFUND: 'Fee refund',
    TAX: 'Tax',
    COMMISSION: 'Commission',
    CORRECTION: 'Correction',
    HOLDBACK: 'Holdback',
    RELEASE: 'Release',
    CHARGE: 'Charge',
    CREDIT: 'Credit',
    REVERSAL_MERCHANT_PROTECTION: 'Chargeback (merchant protection)',
  };
  return known[type] ?? type;
}
