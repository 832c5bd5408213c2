// The global search (GET /search): one query across every kind of object the user may read.
import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';

export type SearchResult = Schemas['SearchResult'];
export type SearchGroup = Schemas['SearchGroup'];
export type SearchHit = Schemas['SearchHit'];
export type SearchKind = Schemas['SearchKind'];

/** The longest query the server takes. */
export const MAX_QUERY = 255;

/** The title of each kind's group, in the words of the pages it opens. */
export const KIND_TITLES: Record<SearchKind, string> = {
  partner: 'Partners',
  business_entity: 'Business entities',
  payment_product: 'Payment products',
  payment_account: 'Payment accounts',
  brand: 'Brands',
  store_group: 'Store groups',
  store: 'Stores',
  dispute: 'Disputes',
  payment: 'Payments',
  payout: 'Payouts',
  transaction: 'Transactions',
  webhook_event: 'Webhook events',
};

/** The search for q (trimmed; the caller enables it only for a non-empty q). */
export const searchQuery = (q: string) =>
  queryOptions({
    queryKey: ['search', q.trim()] as const,
    queryFn: ({ signal }) => api.get('/search', { query: { q: q.trim() }, signal }),
    staleTime: 30_000,
  });

/** The hits of a result in the order they are listed (groups in the server's order). */
export function hitsOf(result: SearchResult | undefined): SearchHit[] {
  return result?.groups.flatMap((g) => g.items) ?? [];
}
