import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import { action, useApiMutation } from '@/lib/stepUp';
import { partnerKeys } from './partners';

export type PartnerChange = Schemas['PartnerChange'];
export interface ChangeFilter {
  kind?: string;
  resource?: string;
  status?: 'pending' | 'applied' | 'failed';
}

/** How often a list with a change still pending at Klarna re-reads itself. */
export const CHANGES_POLL_MS = 1_500;

export const changeKeys = {
  all: (tenantId: string) => ['partners', 'changes', tenantId] as const,
  list: (tenantId: string, f: ChangeFilter) => ['partners', 'changes', tenantId, f] as const,
};

/** A partner's changes pushed to Klarna, newest first; re-read while one is pending. */
export const changesQuery = (tenantId: string, f: ChangeFilter = {}) =>
  queryOptions({
    queryKey: changeKeys.list(tenantId, f),
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/partner/changes', { path: { tenant: tenantId }, query: { ...f, limit: 200 }, signal }),
    refetchInterval: (q) => (q.state.data?.items.some((c) => c.status === 'pending') ? CHANGES_POLL_MS : false),
  });

/** The latest change of each resource, by Klarna id and by our reference. */
export function latestByResource(changes: readonly PartnerChange[]): Map<string, PartnerChange> {
  const out = new Map<string, PartnerChange>();
  for (const c of changes) {
    // newest first: the first change seen of a resource is its latest
    for (const key of [c.resource_id, c.resource_ref]) {
      if (key && !out.has(`${c.kind}/${key}`)) out.set(`${c.kind}/${key}`, c);
    }
  }
  return out;
}

/** Send a failed change to Klarna again (same idempotency key). */
export function useRetryChange(tenantId: string) {
  return useApiMutation({
    action: (c: PartnerChange) =>
      action('post', '/tenants/{tenant}/partner/changes/{change}/retry', { path: { tenant: tenantId, change: c.id } }, { kind: 'partner:change-retry', label: 'Send the change to Klarna again' }),
    invalidate: [changeKeys.all(tenantId), partnerKeys.detail(tenantId)],
  });
}
