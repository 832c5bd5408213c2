import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, setCsrfToken, type Schemas } from '@/lib/api';
import { sessionState } from '@/lib/session';
import { setStepUpIdentity } from '@/lib/stepUp';

export type Me = Schemas['Me'];
export type MeTenant = Schemas['MeTenant'];
export type Role = Schemas['Role'];

export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: async ({ signal }) => {
    const me = await api.get('/me', { signal });
    // A session exists: remember its CSRF token and who is logged in.
    sessionState.established();
    setCsrfToken(me.csrf_token);
    setStepUpIdentity(me.user);
    return me;
  },
  staleTime: 60_000,
});

export const rolesQuery = queryOptions({
  queryKey: ['roles'],
  queryFn: ({ signal }) => api.get('/roles', { signal }),
  staleTime: 5 * 60_000,
});

export function useRoles() {
  return useQuery(rolesQuery);
}

/** Roles that may be held in a tenant of this kind (merchant-* in partners, the others in the acquirer). */
export function rolesFitting(roles: readonly Role[], kind: MeTenant['kind']): Role[] {
  return roles.filter((r) => r.scope === kind);
}

export type TenantSummary = Schemas['TenantSummary'];

/** One page of the tenants the user can see whose name or slug contains `q` (server-side, scoped). */
export const tenantSearchQuery = (q: string) =>
  queryOptions({
    queryKey: ['tenants', 'search', q],
    queryFn: ({ signal }) => api.get('/tenants', { query: { q: q || undefined, limit: 20 }, signal }),
    staleTime: 60_000,
  });

/** The tenant whose slug or id is `key`, when the user can see it (null otherwise). */
export const tenantLookupQuery = (key: string) =>
  queryOptions({
    queryKey: ['tenants', 'lookup', key],
    queryFn: async ({ signal }) => {
      const page = await api.get('/tenants', { query: { q: key, limit: 20 }, signal });
      return page.items.find((t) => t.slug === key || t.id === key) ?? null;
    },
    staleTime: 5 * 60_000,
  });
