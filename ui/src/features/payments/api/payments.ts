// Payments (issue 16): the list's filters as the address and the API take them, the queries (the keyset
// list, one payment's timeline, the integration health) and the CSV addresses, plus the words for
// Klarna's states, integration paths and interoperability.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, API_BASE, type Schemas } from '@/lib/api';
import { formatMoney } from '@/lib/format';
import { type ParamSpec, type UrlValues } from '@/lib/urlState';

export type PaymentSummary = Schemas['PaymentSummary'];
export type PaymentTimeline = Schemas['PaymentTimeline'];
export type PaymentTimelineEntry = Schemas['PaymentTimelineEntry'];
export type PaymentMoney = Schemas['PaymentMoney'];
export type PaymentFlag = Schemas['PaymentFlag'];
export type PaymentHealth = Schemas['PaymentHealth'];
export type PaymentHealthDay = Schemas['PaymentHealthDay'];
export type PaymentHealthFigures = Schemas['PaymentHealthFigures'];
export type PaymentHealthRates = Schemas['PaymentHealthRates'];
export type PaymentPartnerHealth = Schemas['PaymentPartnerHealth'];
export type PaymentFinding = Schemas['PaymentFinding'];

// ---- Klarna's words ----

/** The payment request states Klarna documents, in the order a request usually passes them. */
export const STATES = ['SUBMITTED', 'PREPARED', 'IN_PROGRESS', 'PENDING_CONFIRMATION', 'AUTHORIZED', 'COMPLETED', 'CANCELED', 'EXPIRED', 'DECLINED'] as const;

const STATE_LABEL: Record<string, string> = {
  SUBMITTED: 'Submitted',
  PREPARED: 'Prepared',
  IN_PROGRESS: 'In progress',
  PENDING_CONFIRMATION: 'Pending confirmation',
  AUTHORIZED: 'Authorized',
  COMPLETED: 'Completed',
  CANCELED: 'Canceled',
  EXPIRED: 'Expired',
  DECLINED: 'Declined',
};

/** A state in words; one Klarna added after this build exactly as it was reported. */
export const stateLabel = (state: string) => STATE_LABEL[state] ?? state;

/** The integration paths the list filters by; UNKNOWN: no event told the path. */
export const PATHS = ['HOSTED_CHECKOUT', 'SERVER_SIDE', 'UNKNOWN'] as const;
export type IntegrationPath = (typeof PATHS)[number];

const PATH_LABEL: Record<string, string> = { HOSTED_CHECKOUT: 'Hosted checkout', SERVER_SIDE: 'Server-side', UNKNOWN: 'Not told' };

/** An integration path in words ('' or UNKNOWN: not told by any event; a new one as Klarna sent it). */
export const pathLabel = (path: string) => (path ? (PATH_LABEL[path] ?? path) : PATH_LABEL.UNKNOWN!);

const PAYMENT_TYPE_LABEL: Record<string, string> = { ONE_TIME: 'One-time', RECURRING: 'Recurring' };
export const paymentTypeLabel = (t: string) => (t ? (PAYMENT_TYPE_LABEL[t] ?? t) : 'Not told');

/** An amount in its currency; a dash where Klarna reported none. */
export const amountText = (p: Pick<PaymentSummary, 'amount' | 'currency'>) => (p.amount == null ? '—' : formatMoney(p.amount, p.currency));

export const INTEROP = ['carried', 'missing'] as const;
export const INTEROP_LABEL: Record<PaymentSummary['interoperability'], string> = { carried: 'Carried', missing: 'Missing', not_expected: '—' };

// ---- the list's filters ----

/** The list's filters in the address; partner, state, currency and path comma-separated. */
export const PAYMENT_PARAMS = {
  q: 'text',
  partner: 'text',
  state: 'text',
  currency: 'text',
  path: 'text',
  interop: INTEROP,
  from: 'text',
  to: 'text',
} as const satisfies ParamSpec;
export type PaymentFilters = UrlValues<typeof PAYMENT_PARAMS>;

/** A repeatable filter's values from the address's comma-separated list. */
export const listOf = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
/** The address's form of a repeatable filter's values (undefined when none). */
export const joinList = (values: readonly string[]): string | undefined => (values.length ? values.join(',') : undefined);
const many = (v: string | undefined) => (listOf(v).length ? listOf(v) : undefined);

/** The address's filters as the API's query (a repeatable filter's list becomes the repeated parameter). */
function listQuery(f: PaymentFilters) {
  return {
    q: f.q?.trim() || undefined,
    partner: many(f.partner),
    state: many(f.state?.toUpperCase()),
    currency: many(f.currency?.toUpperCase()),
    // A path the API does not know is sent as is: its answer names the field.
    path: many(f.path?.toUpperCase()) as IntegrationPath[] | undefined,
    interop: f.interop,
    from: f.from || undefined,
    to: f.to || undefined,
  };
}

/** The query string of an API query (repeatable parameters repeated), with "?" or empty. */
function qs(query: Readonly<Record<string, string | readonly string[] | undefined>>): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== '') out.append(key, v as string);
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

export const paymentKeys = {
  all: ['payments'] as const,
  list: (f: PaymentFilters) => ['payments', 'list', f] as const,
  detail: (id: string) => ['payments', 'detail', id] as const,
  health: (f: HealthFilters) => ['payments', 'health', f] as const,
};

export const paymentsQuery = (f: PaymentFilters) =>
  infiniteQueryOptions({
    queryKey: paymentKeys.list(f),
    queryFn: ({ signal, pageParam }) => api.get('/payments', { query: { ...listQuery(f), cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });

/** The CSV of the whole filtered list, same filters. */
export const paymentsExportUrl = (f: PaymentFilters) => `${API_BASE}/payments/export.csv${qs(listQuery(f))}`;

export const paymentQuery = (id: string) =>
  queryOptions({
    queryKey: paymentKeys.detail(id),
    queryFn: ({ signal }) => api.get('/payments/{payment}', { path: { payment: id }, signal }),
  });

// ---- links into the pages ----

/** A payment's page (its id is a KRN with colons). */
export const paymentPath = (id: string) => `/payments/${encodeURIComponent(id)}`;

// ---- integration health ----

/** The health page's filters in the address: the period (UTC days, inclusive) and partners (comma-separated). */
export const HEALTH_PARAMS = { from: 'text', to: 'text', partner: 'text' } as const satisfies ParamSpec;
export type HealthFilters = UrlValues<typeof HEALTH_PARAMS>;

/** How many days the period covers by default: the server's rule (from = 30 days before to). */
export const DEFAULT_DAYS = 30;

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The default period: the last 30 days up to today (UTC), as the server takes it without dates. */
export function defaultPeriod(now = Date.now()): { from: string; to: string } {
  return { from: day(now - DEFAULT_DAYS * 86_400_000), to: day(now) };
}

function healthQuery(f: HealthFilters) {
  return { from: f.from || undefined, to: f.to || undefined, partner: many(f.partner) };
}

export const paymentHealthQuery = (f: HealthFilters) =>
  queryOptions({
    queryKey: paymentKeys.health(f),
    queryFn: ({ signal }) => api.get('/payments/health', { query: healthQuery(f), signal }),
  });

/** The health page's data as CSV: `days` (the charts) or `partners` (the ranking), same filters. */
export const paymentHealthCsvUrl = (of: 'days' | 'partners', f: HealthFilters) => `${API_BASE}/payments/health.csv${qs({ of, ...healthQuery(f) })}`;

/** Every day (YYYY-MM-DD) from `from` to `to`, inclusive, so a chart's axis has no hidden gaps. */
export function daysBetween(from: string, to: string): string[] {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b)) return [];
  const out: string[] = [];
  for (let t = a; t <= b && out.length < 800; t += 86_400_000) out.push(day(t));
  return out;
}

// ---- figures in words ----

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** A share (0–1) as a percentage; "—" when there is nothing to share. */
export const formatShare = (v: number | null | undefined) => (v == null ? '—' : percent.format(v));

/** Seconds as people read a wait: "45 s", "3.5 min", "2.1 h", "1.5 d". */
export function formatSeconds(s: number | null | undefined): string {
  if (s == null) return '—';
  if (s < 60) return `${number.format(s)} s`;
  if (s < 3600) return `${number.format(s / 60)} min`;
  if (s < 172_800) return `${number.format(s / 3600)} h`;
  return `${number.format(s / 86_400)} d`;
}

/** Days with one decimal: "2.5 days". */
export const formatDays = (d: number | null | undefined) => (d == null ? '—' : `${number.format(d)} ${d === 1 ? 'day' : 'days'}`);

/** The path mix in words: "70 % hosted · 30 % server-side". */
export function pathMix(r: PaymentHealthRates): string {
  if (r.hosted_share == null && r.server_side_share == null) return '—';
  return `${formatShare(r.hosted_share)} hosted · ${formatShare(r.server_side_share)} server-side`;
}
