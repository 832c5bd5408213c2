import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import type { ParamSpec, UrlValues } from '@/lib/urlState';
import { action, useApiMutation } from '@/lib/stepUp';

export type WebhookEvent = Schemas['WebhookEvent'];
export type WebhookEventDetail = Schemas['WebhookEventDetail'];
export type WebhookAttempt = WebhookEventDetail['attempts_log'][number];
export type QuarantinedDelivery = Schemas['QuarantinedDelivery'];
export type WebhookStats = Schemas['WebhookStats'];
export type WebhookSetup = Schemas['WebhookSetup'];
export type WebhookSubscription = Schemas['WebhookSubscription'];
export type SigningKey = WebhookSetup['signing_keys'][number];

export type EventStatus = WebhookEvent['status'];
/** What the status filter offers: the event statuses, and quarantined (refused deliveries, another list). */
export type StatusFilter = EventStatus | 'quarantined';

export const EVENT_STATUSES: readonly EventStatus[] = ['received', 'processed', 'failed', 'dead_lettered', 'parked'];
export const STATUS_FILTERS: readonly StatusFilter[] = [...EVENT_STATUSES, 'quarantined'];

/** One colour per status, everywhere (inbox badges, detail, settings counters). */
export const STATUS_COLOR: Record<EventBadge, string> = {
  received: 'blue',
  processed: 'green',
  failed: 'orange',
  dead_lettered: 'red',
  parked: 'yellow',
  quarantined: 'grape',
  no_handler: 'gray',
};

export const STATUS_LABEL: Record<EventBadge, string> = {
  received: 'received',
  processed: 'processed',
  failed: 'failed',
  dead_lettered: 'dead-lettered',
  parked: 'parked',
  quarantined: 'quarantined',
  no_handler: 'no handler',
};

/**
 * The note the server gives an event whose type has no handler
 * (internal/webhook.NoteNoHandler): its status is "processed", yet nothing
 * was done with it.
 */
export const NO_HANDLER_NOTE = 'no handler for this event type; stored for reference';

/** What a badge shows for an event: its status, or "no handler" for a processed event nothing handled. */
export type EventBadge = StatusFilter | 'no_handler';

export function eventBadge(ev: Pick<WebhookEvent, 'status' | 'note'>): EventBadge {
  return ev.status === 'processed' && ev.note === NO_HANDLER_NOTE ? 'no_handler' : ev.status;
}

export const QUARANTINE_REASON: Record<QuarantinedDelivery['reason'], string> = {
  unknown_signing_key: 'unknown signing key',
  retired_signing_key: 'retired signing key',
  bad_signature: 'bad signature',
  malformed_body: 'malformed body',
};

/** The most a "Replay matching" may replay (the server's limit). */
export const REPLAY_LIMIT = 10_000;

/**
 * The inbox filters as the address keeps them. `partner` is a tenant slug
 * (the address's `tenant` parameter already selects the working tenant);
 * from/to are RFC 3339; unknown statuses are ignored.
 */
export const INBOX_FILTERS = { type: 'text', partner: 'text', status: STATUS_FILTERS, from: 'text', to: 'text' } as const satisfies ParamSpec;
export type InboxFilters = UrlValues<typeof INBOX_FILTERS>;

/** The filter as the API takes it (list query and replay body): partner slug → tenant id. */
export interface ApiFilter {
  type?: string;
  tenant?: string;
  status?: EventStatus;
  from?: string;
  to?: string;
}

export function apiFilter(f: InboxFilters, tenantIdOf: (slug: string) => string | undefined): ApiFilter {
  const out: ApiFilter = {};
  if (f.type) out.type = f.type;
  if (f.partner) out.tenant = tenantIdOf(f.partner) ?? f.partner;
  if (f.status && f.status !== 'quarantined') out.status = f.status;
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  return out;
}

const PAGE_SIZE = 50;

export const webhookKeys = {
  all: ['webhooks'] as const,
  events: (f: ApiFilter) => ['webhooks', 'events', f] as const,
  quarantine: ['webhooks', 'quarantine'] as const,
  event: (id: number) => ['webhooks', 'event', id] as const,
  stats: ['webhooks', 'stats'] as const,
  setup: ['webhooks', 'setup'] as const,
};

export const eventsQuery = (f: ApiFilter) =>
  infiniteQueryOptions({
    queryKey: webhookKeys.events(f),
    queryFn: ({ signal, pageParam }) => api.get('/webhooks/events', { query: { ...f, cursor: pageParam, limit: PAGE_SIZE }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const quarantineQuery = () =>
  infiniteQueryOptions({
    queryKey: webhookKeys.quarantine,
    queryFn: ({ signal, pageParam }) => api.get('/webhooks/quarantine', { query: { cursor: pageParam, limit: PAGE_SIZE }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const eventQuery = (id: number) =>
  queryOptions({
    queryKey: webhookKeys.event(id),
    queryFn: ({ signal }) => api.get('/webhooks/events/{event}', { path: { event: id }, signal }),
  });

export const statsQuery = queryOptions({
  queryKey: webhookKeys.stats,
  queryFn: ({ signal }) => api.get('/webhooks/stats', { signal }),
});

export const setupQuery = queryOptions({
  queryKey: webhookKeys.setup,
  queryFn: ({ signal }) => api.get('/webhooks/subscriptions', { signal }),
});

/** Process one event again. */
export function useReplayEvent() {
  return useApiMutation({
    action: (ev: { id: number; event_type: string }) =>
      action('post', '/webhooks/events/{event}/replay', { path: { event: ev.id } }, { kind: 'webhook:replay', label: `Replay ${ev.event_type} event ${ev.id}` }),
    invalidate: [webhookKeys.all],
  });
}

/** Process every event matching a filter again (up to REPLAY_LIMIT); the key makes a retried click harmless. */
export function useReplayMatching() {
  return useApiMutation({
    action: ({ filter, idempotencyKey }: { filter: ApiFilter; idempotencyKey: string }) =>
      action('post', '/webhooks/replay', { body: filter, idempotencyKey }, { kind: 'webhook:replay-matching', label: 'Replay matching webhook events' }),
    invalidate: [webhookKeys.all],
  });
}

/** Subscribe this server's receiver URL at Klarna (needs a recent login). */
export function useSubscribe() {
  return useApiMutation({
    action: () => action('post', '/webhooks/subscriptions', {}, { kind: 'webhook:subscribe', label: 'Subscribe this server to Klarna webhooks' }),
    invalidate: [webhookKeys.setup],
  });
}

/** New signing key for every subscription (needs a recent login). */
export function useRotateKey() {
  return useApiMutation({
    action: () => action('post', '/webhooks/signing-keys/rotate', {}, { kind: 'webhook:rotate-key', label: 'Rotate the webhook signing key' }),
    invalidate: [webhookKeys.setup],
  });
}

/** Ask Klarna to send a sample event to a subscription. */
export function useSendTestEvent() {
  return useApiMutation({
    action: ({ subscription, eventType }: { subscription: string; eventType: string }) =>
      action(
        'post',
        '/webhooks/subscriptions/{subscription}/simulate',
        { path: { subscription }, body: { event_type: eventType } },
        { kind: 'webhook:simulate', label: `Send a test ${eventType} event` },
      ),
  });
}

/** Event types worth a test delivery, in the order the picker shows them. */
export const TEST_EVENT_TYPES: readonly string[] = [
  'partner.account.state-change.operational',
  'partner.account.brand.data-incomplete',
  'partner.account.product.payment.state-change.enabled',
  'partner.account.product.payment.state-change.disabled',
  'payment.dispute.state-change.initiated',
  'payment.dispute.state-change.representment',
  'payment.dispute.state-change.closed',
  'payment.dispute.updated.representment-deadline-extended',
  'settlement.report.created',
];

/** The test picker's choices: the usual types plus any exact type a subscription names. */
export function testEventTypes(sub: WebhookSubscription): string[] {
  const exact = sub.event_types.filter((t) => !t.includes('*'));
  return [...new Set([...TEST_EVENT_TYPES, ...exact])];
}
