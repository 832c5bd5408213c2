import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';

export type Notification = Schemas['Notification'];
export type OutboxMail = Schemas['OutboxMail'];

/** How often the bell looks for new notifications. */
export const NOTIFICATIONS_POLL_MS = 60_000;

export const notificationKeys = {
  all: ['notifications'] as const,
  outbox: ['dev', 'outbox'] as const,
};

/** The caller's newest notifications and their unread count. */
export const notificationsQuery = queryOptions({
  queryKey: notificationKeys.all,
  queryFn: ({ signal }) => api.get('/notifications', { query: { limit: 20 }, signal }),
  refetchInterval: NOTIFICATIONS_POLL_MS,
});

/** The mail `partnerdesk dev` kept instead of sending. */
export const outboxQuery = queryOptions({
  queryKey: notificationKeys.outbox,
  queryFn: ({ signal }) => api.get('/dev/outbox', { signal }),
});

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post('/notifications/{notification}/read', { path: { notification: id } }),
    onSettled: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post('/notifications/read-all'),
    onSettled: () => qc.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export type NotificationPreferences = Schemas['NotificationPreferences'];

/** What each kind of notice is, in the words of the preferences form. */
export const KIND_LABEL: Record<string, string> = {
  dispute_reminder: 'Dispute deadline reminders',
  dispute_escalation: 'Disputes escalated to acquirer support',
  onboarding_done: 'Onboardings done',
  onboarding_failed: 'Onboardings that failed or Klarna refused',
  product_state: 'Payment product status changes',
  payout_arrived: 'Payouts arrived',
};

export const preferencesQuery = queryOptions({
  queryKey: [...notificationKeys.all, 'preferences'] as const,
  queryFn: ({ signal }) => api.get('/notifications/preferences', { signal }),
});

export function useSavePreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NotificationPreferences) => api.put('/notifications/preferences', { body: { email_kinds: body.email_kinds, digest: body.digest } }),
    onSuccess: (saved) => qc.setQueryData(preferencesQuery.queryKey, saved),
  });
}
