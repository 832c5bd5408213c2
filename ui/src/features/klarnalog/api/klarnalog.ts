import { infiniteQueryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import type { ParamSpec, UrlValues } from '@/lib/urlState';

export type KlarnaCall = Schemas['KlarnaCall'];

/** The outcome classes the list filters on (network: no answer, or cancelled). */
export const OUTCOME_FILTERS = ['ok', 'client_error', 'server_error', 'rate_limited', 'network'] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

export const OUTCOME_LABEL: Record<OutcomeFilter | KlarnaCall['outcome'], string> = {
  ok: 'OK',
  client_error: 'Client error (4xx)',
  server_error: 'Server error (5xx)',
  rate_limited: 'Rate limited (429)',
  network: 'Network / timeout',
  network_error: 'Network / timeout',
  canceled: 'Cancelled',
};

export const OUTCOME_COLOR: Record<KlarnaCall['outcome'], string> = {
  ok: 'green',
  client_error: 'orange',
  server_error: 'red',
  rate_limited: 'yellow',
  network_error: 'grape',
  canceled: 'gray',
};

/** The page's filters as the address keeps them (`partner` is a slug or tenant id; `tenant` is the switcher's). */
export const CALL_FILTERS = {
  operation: 'text',
  partner: 'text',
  object_kind: 'text',
  object_id: 'text',
  outcome: OUTCOME_FILTERS,
  from: 'text',
  to: 'text',
  q: 'text',
} as const satisfies ParamSpec;
export type CallFilters = UrlValues<typeof CALL_FILTERS>;

/** The filter as the API takes it: the partner as its tenant id. */
export interface ApiCallFilter {
  operation?: string;
  tenant?: string;
  object_kind?: string;
  object_id?: string;
  outcome?: OutcomeFilter;
  from?: string;
  to?: string;
  q?: string;
}

export function apiCallFilter(f: CallFilters, tenantIdOf: (slug: string) => string | undefined): ApiCallFilter {
  const out: ApiCallFilter = {};
  const { partner, ...rest } = f;
  for (const [k, v] of Object.entries(rest) as [keyof typeof rest, string | undefined][]) {
    if (v) (out as Record<string, string>)[k] = v;
  }
  if (partner) out.tenant = tenantIdOf(partner) ?? partner;
  return out;
}

const PAGE_SIZE = 50;

export const klarnaCallsQuery = (f: ApiCallFilter) =>
  infiniteQueryOptions({
    queryKey: ['klarna-calls', f],
    queryFn: ({ signal, pageParam }) => api.get('/klarna/calls', { query: { ...f, cursor: pageParam, limit: PAGE_SIZE }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

/** The address of the call log filtered to one object or one partner (the links on object pages). */
export function klarnaCallsPath(f: { objectKind?: string; objectId?: string; partner?: string }): string {
  const p = new URLSearchParams();
  if (f.partner) p.set('partner', f.partner);
  if (f.objectKind) p.set('object_kind', f.objectKind);
  if (f.objectId) p.set('object_id', f.objectId);
  const s = p.toString();
  return `/klarna-calls${s ? `?${s}` : ''}`;
}
