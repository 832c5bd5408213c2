// The dispute queue and a dispute's page: types, the queue's filters as the address and the API take them,
// queries and the assignee/refresh mutations. The other dispute work (actions, evidence, notifications)
// builds on these.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, API_BASE, type Schemas } from '@/lib/api';
import { action, newIdempotencyKey, useApiMutation } from '@/lib/stepUp';
import { type ParamSpec, type UrlValues } from '@/lib/urlState';

// ---- types (the HTTP contract of the dispute core; Klarna's object typed here for the parts the UI reads) ----

export type DisputeSummary = Schemas['DisputeSummary'];
export type ViewCounts = Schemas['DisputeCounts'];
export type DisputeEvent = Schemas['DisputeTimelineEntry'];
export type Assignee = Schemas['DisputeAssignee'];
export type SavedView = Schemas['SavedView'];

/** One attachment as Klarna describes it. */
export interface KlarnaAttachment {
  payment_dispute_attachment_id?: string;
  description?: string;
  mime_type?: string;
  url?: string;
}

export interface KlarnaPartnerEvidence {
  created_at?: string;
  additional_information?: string;
  attachments?: KlarnaAttachment[];
}

/** Klarna's dispute object, the parts this UI reads (every field optional: Klarna's shape varies by state). */
export interface KlarnaDispute {
  payment_dispute_id?: string;
  order_id?: string;
  payment_transaction_id?: string;
  purchase_reference?: string;
  payment_transaction_reference?: string;
  merchant_reference2?: string;
  capture_id?: string;
  payment_capture_id?: string;
  payment_capture_reference?: string;
  capture_krn?: string;
  payment_account_reference?: string;
  dispute_details?: { dispute_amount?: number; currency?: string; created_by?: string };
  representment?: {
    state?: string;
    expires_at?: string;
    request?: { requested_at?: string; additional_information?: string };
    partner_evidence?: KlarnaPartnerEvidence;
  };
  arbitration?: {
    preliminary_outcome?: string;
    preliminary_outcome_detailed?: string;
    arbitration_request?: { requested_at?: string; additional_information?: string; attachments?: KlarnaAttachment[] };
  };
  state_context?: {
    representment?: { state?: string; expires_at?: string; request?: { requested_at?: string; additional_information?: string } };
    partner_evidence?: KlarnaPartnerEvidence;
    arbitration_expires_at?: string;
    dispute_outcome?: string;
    dispute_outcome_detailed?: string;
  };
  customer_evidences?: { payment_dispute_customer_evidence_id?: string; attachment?: KlarnaAttachment }[];
}

/** A dispute as its page shows it: Klarna's object read through the typed parts above. */
export type DisputeDetail = Omit<Schemas['DisputeDetail'], 'object'> & { object: KlarnaDispute | null };

// ---- the queue's filters ----

export const VIEWS = ['expires_soon', 'needs_action', 'waiting', 'closed', 'all'] as const;
export type View = (typeof VIEWS)[number];
export const DEFAULT_VIEW: View = 'needs_action';
export const VIEW_LABEL: Record<View, string> = {
  expires_soon: 'Expires soon',
  needs_action: 'Needs action',
  waiting: 'Waiting on Klarna',
  closed: 'Closed',
  all: 'All',
};

export const STATES = ['INITIATED', 'REPRESENTMENT', 'PRE_ARBITRATION', 'ARBITRATION', 'CLOSED'] as const;
export const OUTCOMES = ['WON', 'LOST'] as const;

/** Klarna's dispute reasons in plain words, with one line of what each means. Unknown reasons are shown as they are. */
export const REASONS: Record<string, { label: string; means: string }> = {
  REFUND_NOT_PROCESSED: { label: 'Refund not processed', means: 'The customer says a refund they were promised has not arrived.' },
  PRODUCTS_OR_SERVICES_NOT_RECEIVED: { label: 'Not received', means: 'The customer says the goods or service never arrived.' },
  PRODUCTS_DEFECTIVE_OR_NOT_AS_DESCRIBED: { label: 'Defective or not as described', means: 'The customer says what arrived was faulty or not what was sold.' },
  INCORRECT_AMOUNT: { label: 'Incorrect amount', means: 'The customer says they were charged a different amount than agreed.' },
  PURCHASE_HIGH_RISK: { label: 'High-risk purchase', means: 'Klarna flagged the purchase as high risk and asks for a quick answer.' },
  PURCHASE_UNAUTHORIZED: { label: 'Unauthorized purchase', means: 'The customer says they did not make this purchase.' },
  NON_COMPLIANCE: { label: 'Non-compliance', means: 'Klarna found the purchase does not follow its rules for partners.' },
  NON_GUARANTEED_PAYMENT_PROGRAM: { label: 'Non-guaranteed payment', means: 'A payment of the Debit Risk program that Klarna does not guarantee.' },
};

export const reasonLabel = (reason: string) => REASONS[reason]?.label ?? reason;

/** A Klarna enum (state, sub-state, outcome) in words: PRE_ARBITRATION → "Pre arbitration". */
export function enumLabel(value: string | null | undefined): string {
  if (!value) return '—';
  const words = value.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The queue's filters and view, as the address and the API both take them (amounts in minor units). */
export const QUEUE_PARAMS = {
  view: VIEWS,
  q: 'text',
  partner: 'text',
  // the repeatable filters: comma-separated in the address (state=INITIATED,PRE_ARBITRATION)
  state: 'text',
  reason: 'text',
  currency: 'text',
  outcome: 'text',
  amount_min: 'text',
  amount_max: 'text',
  created_from: 'text',
  created_to: 'text',
  closed_from: 'text',
  closed_to: 'text',
  updated_from: 'text',
  updated_to: 'text',
  assignee: 'text',
  due_within: ['24h', '72h'],
  escalated: ['true'],
} as const satisfies ParamSpec;
export type QueueParams = UrlValues<typeof QUEUE_PARAMS>;

/** The filters without the view (what the filter bar edits and a saved view keeps besides the view). */
export type QueueFilters = Omit<QueueParams, 'view'>;

export const disputeKeys = {
  all: ['disputes'] as const,
  list: (p: QueueParams) => ['disputes', 'list', p] as const,
  detail: (id: string) => ['disputes', 'detail', id] as const,
  assignees: (id: string) => ['disputes', 'assignees', id] as const,
  views: ['views', 'disputes'] as const,
};

/** A repeatable filter's values from the address's comma-separated list. */
export const listOf = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
/** The address's form of a repeatable filter's values (undefined when none). */
export const joinList = (values: readonly string[]): string | undefined => (values.length ? values.join(',') : undefined);
const many = (v: string | undefined) => (listOf(v).length ? listOf(v) : undefined);
const int = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);

/** The address's values as the API's query (a repeatable filter's list becomes the repeated parameter). */
function apiQuery(p: QueueParams) {
  return {
    ...p,
    partner: many(p.partner),
    state: many(p.state),
    reason: many(p.reason),
    currency: many(p.currency),
    outcome: many(p.outcome),
    amount_min: int(p.amount_min),
    amount_max: int(p.amount_max),
  };
}

export const disputesQuery = (p: QueueParams) =>
  infiniteQueryOptions({
    queryKey: disputeKeys.list(p),
    queryFn: ({ signal, pageParam }) => api.get('/disputes', { query: { ...apiQuery(p), cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });

/** The CSV of the whole filtered queue, same view and filters. */
export function disputesExportUrl(p: QueueParams): string {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(apiQuery(p))) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && String(v).trim() !== '') qs.append(key, String(v));
  }
  const s = qs.toString();
  return `${API_BASE}/disputes/export.csv${s ? `?${s}` : ''}`;
}

export const disputeQuery = (id: string) =>
  queryOptions({
    queryKey: disputeKeys.detail(id),
    queryFn: ({ signal }) => api.get('/disputes/{dispute}', { path: { dispute: id }, signal }) as Promise<DisputeDetail>,
  });

export const assigneesQuery = (id: string) =>
  queryOptions({
    queryKey: disputeKeys.assignees(id),
    queryFn: ({ signal }) => api.get('/disputes/{dispute}/assignees', { path: { dispute: id }, signal }),
  });

export const savedViewsQuery = queryOptions({
  queryKey: disputeKeys.views,
  queryFn: ({ signal }) => api.get('/views', { query: { list: 'disputes' }, signal }),
});

/** The partners to filter the queue by (acquirer users), as select options. */
/** Where a dispute's attachment (customer evidence or submitted evidence) downloads from. */
export function attachmentUrl(disputeId: string, attachmentId: string): string {
  return `${API_BASE}/disputes/${encodeURIComponent(disputeId)}/attachments/${encodeURIComponent(attachmentId)}/download`;
}

/** The attachment id of a Klarna attachment url: the last path segment before /download. */
export function attachmentIdFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /\/attachments\/([^/?#]+)\/download(?:[?#]|$)/.exec(url) ?? /\/([^/?#]+)\/download(?:[?#]|$)/.exec(url);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

// ---- mutations ----

/** Assign the dispute to a user (or to no one with null). */
export function useAssignDispute(id: string) {
  return useApiMutation({
    action: (v: { userId: string | null; name?: string }) =>
      action(
        'put',
        '/disputes/{dispute}/assignee',
        { path: { dispute: id }, body: { user_id: v.userId }, idempotencyKey: newIdempotencyKey() },
        { kind: 'dispute:assign', label: v.userId ? `Assign the dispute to ${v.name ?? 'a user'}` : 'Unassign the dispute' },
      ),
    invalidate: [disputeKeys.all],
  });
}

/** Re-read the dispute from Klarna now. */
export function useRefreshDispute(id: string) {
  return useApiMutation({
    action: () => action('post', '/disputes/{dispute}/refresh', { path: { dispute: id } }, { kind: 'dispute:refresh', label: 'Re-read the dispute from Klarna' }),
    invalidate: [disputeKeys.all],
  });
}

export function useSaveView() {
  return useApiMutation({
    action: (v: { name: string; query: string }) => action('post', '/views', { body: { list: 'disputes', name: v.name, query: v.query } }, { kind: 'view:save', label: `Save the view “${v.name}”` }),
    invalidate: [disputeKeys.views],
  });
}

export function useDeleteView() {
  return useApiMutation({
    action: (v: SavedView) => action('delete', '/views/{view}', { path: { view: v.id }, idempotencyKey: newIdempotencyKey() }, { kind: 'view:delete', label: `Delete the view “${v.name}”` }),
    invalidate: [disputeKeys.views],
  });
}

// ---- time left ----

export type Urgency = 'expired' | 'day' | 'soon' | 'later';

/** How urgent a deadline is at `now`: expired, under 24 h, under 72 h, or later. */
export function urgency(deadline: string, now: number): Urgency {
  const left = new Date(deadline).getTime() - now;
  if (left <= 0) return 'expired';
  if (left < 24 * 3600_000) return 'day';
  if (left < 72 * 3600_000) return 'soon';
  return 'later';
}

/** The time left until a deadline, coarsely: "5 d 3 h", "14 h 20 min", "45 min". */
export function timeLeft(deadline: string, now: number): string {
  const min = Math.floor((new Date(deadline).getTime() - now) / 60_000);
  if (min <= 0) return 'Expired';
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}
