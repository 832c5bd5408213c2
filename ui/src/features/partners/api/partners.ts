import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, API_BASE, type Schemas } from '@/lib/api';
import { action, useApiMutation } from '@/lib/stepUp';
import { queryString, type ParamSpec, type UrlValues } from '@/lib/urlState';

export type PartnerSummary = Schemas['PartnerSummary'];
export type PartnerDetail = Schemas['PartnerDetail'];
export type OnboardingStage = Schemas['OnboardingStage'];
export type OnboardingBoard = Schemas['OnboardingBoard'];
export type OnboardingBoardItem = Schemas['OnboardingBoardItem'];
export type StoreGroupNode = Schemas['PartnerStoreGroupNode'];

export const ACCOUNT_STATES = ['PARTIALLY_OPERATIONAL', 'OPERATIONAL', 'DISABLED', 'UNKNOWN'] as const;
export const PRODUCT_STATUSES = ['ENABLED', 'DISABLED', 'TERMINATED', 'NONE'] as const;
export const STAGES: readonly OnboardingStage[] = ['draft', 'submitted', 'partially_operational', 'operational', 'disabled', 'failed', 'stuck'];
export const SORTS = ['name', '-name', 'created_at', '-created_at', 'updated_at', '-updated_at', 'state', '-state'] as const;

/** The directory's filters and sort, as the address and the API both take them. */
export const DIRECTORY_PARAMS = {
  q: 'text',
  state: ACCOUNT_STATES,
  product_status: PRODUCT_STATUSES,
  onboarding: STAGES,
  warning: ['brand_data_incomplete'],
  sort: SORTS,
} as const satisfies ParamSpec;
export type DirectoryParams = UrlValues<typeof DIRECTORY_PARAMS>;

export const STAGE_LABEL: Record<OnboardingStage, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  partially_operational: 'Partially operational',
  operational: 'Operational',
  disabled: 'Disabled',
  failed: 'Failed',
  stuck: 'Stuck',
};

export const STAGE_COLOR: Record<OnboardingStage, string> = {
  draft: 'gray',
  submitted: 'blue',
  partially_operational: 'yellow',
  operational: 'green',
  disabled: 'dark',
  failed: 'red',
  stuck: 'orange',
};

/** Klarna's states and statuses (open enums) in words; unknown values are shown as they are. */
export function stateLabel(state: string): string {
  if (!state) return 'Unknown';
  return state.charAt(0) + state.slice(1).toLowerCase().replaceAll('_', ' ');
}

export function stateColor(state: string): string {
  switch (state) {
    case 'OPERATIONAL':
    case 'ENABLED':
      return 'green';
    case 'PARTIALLY_OPERATIONAL':
      return 'yellow';
    case 'DISABLED':
    case 'TERMINATED':
      return 'red';
    default:
      return 'gray';
  }
}

/** A warning event type in words: partner.account.brand.data-incomplete → "brand data incomplete". */
export function warningLabel(type: string): string {
  return type.replace(/^partner\.account\./, '').replaceAll('.', ' ').replaceAll('-', ' ');
}

export const partnerKeys = {
  all: ['partners'] as const,
  list: (p: DirectoryParams) => ['partners', 'list', p] as const,
  board: ['partners', 'board'] as const,
  detail: (tenantId: string) => ['partners', 'detail', tenantId] as const,
};

export const partnersQuery = (p: DirectoryParams) =>
  infiniteQueryOptions({
    queryKey: partnerKeys.list(p),
    queryFn: ({ signal, pageParam }) => api.get('/partners', { query: { ...p, cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

/** The CSV of the whole filtered directory, same filters and sort. */
export function partnersExportUrl(p: DirectoryParams): string {
  return `${API_BASE}/partners/export.csv${queryString(p)}`;
}

export const boardQuery = queryOptions({
  queryKey: partnerKeys.board,
  queryFn: ({ signal }) => api.get('/partners/onboarding', { query: { limit: 50 }, signal }),
});

export const partnerQuery = (tenantId: string) =>
  queryOptions({
    queryKey: partnerKeys.detail(tenantId),
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/partner', { path: { tenant: tenantId }, signal }),
  });

/** Re-read the partner's account from Klarna (a background job). */
export function useRefreshPartner(tenantId: string) {
  return useApiMutation({
    action: (name: string) => action('post', '/tenants/{tenant}/partner/refresh', { path: { tenant: tenantId } }, { kind: 'partner:refresh', label: `Refresh ${name} from Klarna` }),
    invalidate: [partnerKeys.all],
  });
}

/** The partners as choices for a filter (tenant id and name), the first 200 by name. */
export const partnerChoicesQuery = queryOptions({
  queryKey: ['partners', 'choices'] as const,
  queryFn: ({ signal }) => api.get('/partners', { query: { limit: 200 }, signal }).then((r) => r.items.map((p) => ({ value: p.tenant_id, label: p.name }))),
  staleTime: 60_000,
});
