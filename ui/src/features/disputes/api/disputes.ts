// The dispute queue and a dispute's page: types, the queue's filters as the address and the API take them,
// queries and the assignee/refresh mutations. The other dispute work (actions, evidence, notifications)
// builds on these.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, API_BASE, request } from '@/lib/api';
import { newIdempotencyKey, useApiMutation, type Action } from '@/lib/stepUp';
import { queryString, type ParamSpec, type UrlValues } from '@/lib/urlState';

// ---- types (the HTTP contract of the dispute core) ----

export interface DisputeUser {
  id: string;
  name: string;
}

export interface DisputeSummary {
  id: string;
  tenant_id: string;
  partner_name: string;
  state: string;
  previous_state: string;
  reason: string;
  amount: number;
  currency: string;
  deadline_at: string | null;
  outcome: string;
  opened_at: string;
  closed_at: string | null;
  updated_at: string;
  assignee: DisputeUser | null;
  order_id: string;
  payment_transaction_id: string;
  purchase_reference: string;
  payment_account_id: string;
}

export interface ViewCounts {
  expires_soon: number;
  needs_action: number;
  waiting: number;
  closed: number;
  all: number;
}

export interface DisputeList {
  items: DisputeSummary[];
  next_cursor?: string | null;
  counts: ViewCounts;
}

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

export interface DisputeEvent {
  at: string;
  kind: string;
  state: string;
  summary: string;
  /** Who did it: a user, "Klarna", "system" … */
  actor?: string | { id?: string | null; name?: string; label?: string } | null;
}

export interface DisputeDetail extends DisputeSummary {
  representment_state: string;
  outcome_detailed: string;
  answered_at: string | null;
  klarna_account_id: string;
  object: KlarnaDispute | null;
  actions: string[];
  timeline: DisputeEvent[];
}

export interface Assignee {
  id: string;
  name: string;
  email: string;
}

export interface SavedView {
  id: string;
  name: string;
  query: string;
}

// The typed client knows the paths of the OpenAPI document; these calls name theirs as strings.
type Call = <T>(method: 'get' | 'post' | 'put' | 'delete', path: string, options?: { path?: Record<string, string>; query?: object; body?: unknown; signal?: AbortSignal }) => Promise<T>;
const call = request as unknown as Call;

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
  state: STATES,
  reason: 'text',
  currency: 'text',
  outcome: OUTCOMES,
  amount_min: 'text',
  amount_max: 'text',
  created_from: 'text',
  created_to: 'text',
  closed_from: 'text',
  closed_to: 'text',
  updated_from: 'text',
  updated_to: 'text',
  assignee: 'text',
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

export const disputesQuery = (p: QueueParams) =>
  infiniteQueryOptions({
    queryKey: disputeKeys.list(p),
    queryFn: ({ signal, pageParam }) => call<DisputeList>('get', '/disputes', { query: { ...p, cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

/** The CSV of the whole filtered queue, same view and filters. */
export function disputesExportUrl(p: QueueParams): string {
  return `${API_BASE}/disputes/export.csv${queryString(p)}`;
}

export const disputeQuery = (id: string) =>
  queryOptions({
    queryKey: disputeKeys.detail(id),
    queryFn: ({ signal }) => call<DisputeDetail>('get', '/disputes/{dispute}', { path: { dispute: id }, signal }),
  });

export const assigneesQuery = (id: string) =>
  queryOptions({
    queryKey: disputeKeys.assignees(id),
    queryFn: ({ signal }) => call<Assignee[] | { items: Assignee[] }>('get', '/disputes/{dispute}/assignees', { path: { dispute: id }, signal }).then(listOf),
  });

export const savedViewsQuery = queryOptions({
  queryKey: disputeKeys.views,
  queryFn: ({ signal }) => call<SavedView[] | { items: SavedView[] }>('get', '/views', { query: { list: 'disputes' }, signal }).then(listOf),
});

function listOf<T>(v: T[] | { items: T[] } | undefined): T[] {
  if (!v) return [];
  return Array.isArray(v) ? v : (v.items ?? []);
}

/** The partners to filter the queue by (acquirer users), as select options. */
export const partnerChoicesQuery = queryOptions({
  queryKey: ['disputes', 'partner-choices'] as const,
  queryFn: ({ signal }) => api.get('/partners', { query: { limit: 200 }, signal }).then((r) => r.items.map((p) => ({ value: p.tenant_id, label: p.name }))),
  staleTime: 60_000,
});

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

function mutation(method: Action['method'], path: string, pathValues: Record<string, string>, body: unknown, meta: { kind: string; label: string }): Action {
  return { ...meta, method, path, options: { path: pathValues, body, idempotencyKey: newIdempotencyKey() } };
}

/** Assign the dispute to a user (or to no one with null). */
export function useAssignDispute(id: string) {
  return useApiMutation({
    action: (v: { userId: string | null; name?: string }) =>
      mutation('put', '/disputes/{dispute}/assignee', { dispute: id }, { user_id: v.userId }, { kind: 'dispute:assign', label: v.userId ? `Assign the dispute to ${v.name ?? 'a user'}` : 'Unassign the dispute' }),
    invalidate: [disputeKeys.all],
  });
}

/** Re-read the dispute from Klarna now. */
export function useRefreshDispute(id: string) {
  return useApiMutation({
    action: () => mutation('post', '/disputes/{dispute}/refresh', { dispute: id }, undefined, { kind: 'dispute:refresh', label: 'Re-read the dispute from Klarna' }),
    invalidate: [disputeKeys.all],
  });
}

export function useSaveView() {
  return useApiMutation({
    action: (v: { name: string; query: string }) => mutation('post', '/views', {}, { list: 'disputes', name: v.name, query: v.query }, { kind: 'view:save', label: `Save the view “${v.name}”` }),
    invalidate: [disputeKeys.views],
  });
}

export function useDeleteView() {
  return useApiMutation({
    action: (v: SavedView) => mutation('delete', '/views/{view}', { view: v.id }, undefined, { kind: 'view:delete', label: `Delete the view “${v.name}”` }),
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
