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
