import { infiniteQueryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import { browser } from '@/lib/browser';
import { action, useApiMutation } from '@/lib/stepUp';

export type PortalLink = Schemas['PortalLink'];

/**
 * Opens the partner's Klarna Partner Portal: the server mints a fresh single-use deep link (valid 60 s)
 * on each call, and the browser goes there at once.
 */
export function useOpenPortal(tenantId: string) {
  return useApiMutation({
    action: (name: string) =>
      action('post', '/tenants/{tenant}/partner/portal-link', { path: { tenant: tenantId } }, { kind: 'portal:open', label: `Open ${name} in the Klarna Portal` }),
    onSuccess: (link: PortalLink) => browser.assign(link.url),
  });
}

/** The partners whose Portal the user may open, for the "Continue with" picker. */
export const portalPartnersQuery = (q: string) =>
  infiniteQueryOptions({
    queryKey: ['portal', 'partners', q],
    queryFn: ({ signal, pageParam }) => api.get('/portal/partners', { query: { q: q || undefined, cursor: pageParam, limit: 20 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
