import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import { action, useApiMutation } from '@/lib/stepUp';
import type { ParamSpec, UrlValues } from '@/lib/urlState';

export type Credential = Schemas['PartnerCredential'];
export type CredentialKind = Schemas['CredentialKind'];
export type PartnerCredentials = Schemas['PartnerCredentials'];
export type CreatedAPIKey = Schemas['CreatedAPIKey'];

export const KINDS: readonly CredentialKind[] = ['api_key', 'client_identifier', 'certificate'];
export const KIND_LABEL: Record<CredentialKind, string> = { api_key: 'API key', client_identifier: 'Client identifier', certificate: 'Client certificate' };
export const STATUSES = ['ENABLED', 'DISABLED'] as const;
/** The age filter's choices, in days (created at least that long ago). */
export const AGES = ['30', '60', '90', '180', '365'] as const;

/** The kind of the create action, so a key created after a step-up login still shows its secret. */
export const CREATE_API_KEY = 'credential:create_api_key';

/**
 * The inventory's filters as the address holds them. `tenant` in the address is the tenant
 * switcher's, so the partner filter is `partner` there.
 */
export const INVENTORY_PARAMS = {
  partner: 'text',
  kind: KINDS,
  status: STATUSES,
  min_age_days: AGES,
  unused: ['true'],
  q: 'text',
} as const satisfies ParamSpec;
export type InventoryParams = UrlValues<typeof INVENTORY_PARAMS>;

export const credentialKeys = {
  all: ['credentials'] as const,
  partner: (tenantId: string) => ['credentials', 'partner', tenantId] as const,
  inventory: (p: InventoryParams) => ['credentials', 'inventory', p] as const,
};

export const partnerCredentialsQuery = (tenantId: string) =>
  queryOptions({
    queryKey: credentialKeys.partner(tenantId),
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/credentials', { path: { tenant: tenantId }, signal }),
  });

export const inventoryQuery = (p: InventoryParams) =>
  infiniteQueryOptions({
    queryKey: credentialKeys.inventory(p),
    queryFn: ({ signal, pageParam }) => {
      const { partner, min_age_days, unused, ...rest } = p;
      return api.get('/credentials', {
        query: { ...rest, tenant: partner, min_age_days: min_age_days ? Number(min_age_days) : undefined, unused: unused ? true : undefined, cursor: pageParam, limit: 50 },
        signal,
      });
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export function useCreateAPIKey(tenantId: string) {
  return useApiMutation({
    action: (description: string) =>
      action('post', '/tenants/{tenant}/credentials/api-keys', { path: { tenant: tenantId }, body: { description } }, { kind: CREATE_API_KEY, label: `Create API key “${description}”` }),
    invalidate: [credentialKeys.all],
  });
}

export function useDisableCredential(tenantId: string) {
  return useApiMutation({
    action: (c: Credential) =>
      c.kind === 'client_identifier'
        ? action('post', '/tenants/{tenant}/credentials/client-identifiers/{credential}/disable', { path: { tenant: tenantId, credential: c.credential_id } }, { kind: 'credential:disable', label: `Disable client identifier “${c.description}”` })
        : action('post', '/tenants/{tenant}/credentials/api-keys/{credential}/disable', { path: { tenant: tenantId, credential: c.credential_id } }, { kind: 'credential:disable', label: `Disable API key “${c.description}”` }),
    invalidate: [credentialKeys.all],
  });
}

export function useCreateClientIdentifier(tenantId: string) {
  return useApiMutation({
    action: (body: { description: string; origins: string[] }) =>
      action('post', '/tenants/{tenant}/credentials/client-identifiers', { path: { tenant: tenantId }, body }, { kind: 'credential:create_client_identifier', label: `Create client identifier “${body.description}”` }),
    invalidate: [credentialKeys.all],
  });
}

export function useSetOrigins(tenantId: string) {
  return useApiMutation({
    action: (v: { credential: Credential; origins: string[] }) =>
      action(
        'put',
        '/tenants/{tenant}/credentials/client-identifiers/{credential}/origins',
        { path: { tenant: tenantId, credential: v.credential.credential_id }, body: { origins: v.origins } },
        { kind: 'credential:set_origins', label: `Change the origins of “${v.credential.description}”` },
      ),
    invalidate: [credentialKeys.all],
  });
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The warning before Klarna disables an unused key, e.g. "Unused 7 weeks — Klarna disables it in
 * 9 days", or undefined when none is due.
 */
export function unusedWarning(c: Credential, now: number = Date.now()): string | undefined {
  if (!c.unused_warning || !c.auto_disable_at) return undefined;
  const since = new Date(c.last_used_at ?? c.created_at).getTime();
  const weeks = Math.floor((now - since) / (7 * DAY));
  const days = Math.ceil((new Date(c.auto_disable_at).getTime() - now) / DAY);
  const unused = c.last_used_at ? `Unused ${weeks} ${weeks === 1 ? 'week' : 'weeks'}` : `No use reported in ${weeks} ${weeks === 1 ? 'week' : 'weeks'}`;
  if (days <= 0) return `${unused} — Klarna disables it any moment now`;
  return `${unused} — Klarna disables it in ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** How old a credential is, in days, weeks or months. */
export function ageText(iso: string, now: number = Date.now()): string {
  const days = Math.max(0, Math.floor((now - new Date(iso).getTime()) / DAY));
  if (days < 14) return days === 1 ? '1 day' : `${days} days`;
  if (days < 90) return `${Math.floor(days / 7)} weeks`;
  const months = Math.floor(days / 30);
  return months < 24 ? `${months} months` : `${Math.floor(days / 365)} years`;
}
