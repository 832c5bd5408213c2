// Editing a partner's data at Klarna after onboarding: each save is one
// change (the resource's own POST or PATCH), queued at once and followed in
// the partner's changes (./changes).
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, type Schemas } from '@/lib/api';
import { action, useApiMutation, type Action } from '@/lib/stepUp';
import { changeKeys, type PartnerChange } from './changes';
import { partnerKeys } from './partners';

export type PartnerData = Schemas['PartnerData'];
export type ImageCheck = Schemas['PartnerImageCheck'];
export type DataKind = PartnerData['immutable_fields'][number]['kind'];

export const partnerDataKeys = {
  view: (tenantId: string) => ['partners', 'data', tenantId] as const,
};

/** The fields Klarna keeps for good and the warnings on each brand. */
export const partnerDataQuery = (tenantId: string) =>
  queryOptions({
    queryKey: partnerDataKeys.view(tenantId),
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/partner/data', { path: { tenant: tenantId }, signal }),
  });

/** Whether an image address answers with an image (the server fetches it). */
export function checkImage(tenantId: string, url: string, signal?: AbortSignal): Promise<ImageCheck> {
  return api.get('/tenants/{tenant}/partner/image-check', { path: { tenant: tenantId }, query: { url }, signal });
}

/** Why each read-only field of `kind` is read-only, by field. */
export function lockedFields(data: PartnerData | undefined, kind: DataKind): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of data?.immutable_fields ?? []) if (f.kind === kind) out[f.field] = f.reason;
  return out;
}

type Body<P extends keyof Schemas> = Schemas[P];

/** One save: what to send where, in words for notifications. */
export type DataSave =
  | { kind: 'brand'; id?: string; body: Body<'PartnerBrandEdit'> & { brand_reference?: string } }
  | { kind: 'store_group'; id?: string; body: Body<'PartnerStoreGroupEdit'> }
  | { kind: 'store'; id?: string; body: Body<'PartnerStoreEdit'> }
  | { kind: 'business_entity'; id?: string; body: Body<'PartnerBusinessEntityEdit'> }
  | { kind: 'account'; body: Body<'OnboardingContact'> };

const NOUN: Record<DataSave['kind'], string> = { brand: 'brand', store_group: 'store group', store: 'store', business_entity: 'business entity', account: 'account contact' };

function saveAction(tenant: string, s: DataSave): Action<PartnerChange> {
  const what = `${'id' in s && s.id ? 'Change' : s.kind === 'account' ? 'Change' : 'Create'} the ${NOUN[s.kind]}`;
  const meta = { kind: `partner:${s.kind}`, label: what };
  switch (s.kind) {
    case 'brand':
      return s.id
        ? action('patch', '/tenants/{tenant}/partner/brands/{brand}', { path: { tenant, brand: s.id }, body: s.body }, meta)
        : action('post', '/tenants/{tenant}/partner/brands', { path: { tenant }, body: { ...s.body, brand_reference: s.body.brand_reference ?? '' } }, meta);
    case 'store_group':
      return s.id
        ? action('patch', '/tenants/{tenant}/partner/store-groups/{store_group}', { path: { tenant, store_group: s.id }, body: s.body }, meta)
        : action('post', '/tenants/{tenant}/partner/store-groups', { path: { tenant }, body: s.body }, meta);
    case 'store':
      return s.id
        ? action('patch', '/tenants/{tenant}/partner/stores/{store}', { path: { tenant, store: s.id }, body: s.body }, meta)
        : action('post', '/tenants/{tenant}/partner/stores', { path: { tenant }, body: s.body }, meta);
    case 'business_entity':
      return s.id
        ? action('patch', '/tenants/{tenant}/partner/business-entities/{entity}', { path: { tenant, entity: s.id }, body: s.body }, meta)
        : action(
            'post',
            '/tenants/{tenant}/partner/business-entities',
            {
              path: { tenant },
              body: {
                ...s.body,
                partner_business_entity_reference: s.body.partner_business_entity_reference ?? '',
                legal_registration_country: s.body.legal_registration_country ?? '',
              },
            },
            meta,
          );
    case 'account':
      return action('patch', '/tenants/{tenant}/partner/account', { path: { tenant }, body: s.body }, meta);
  }
}

/** Queue a save at Klarna; the partner's changes show where it stands. */
export function useSaveData(tenantId: string) {
  return useApiMutation({
    action: (s: DataSave) => saveAction(tenantId, s),
    invalidate: [changeKeys.all(tenantId)],
  });
}

/**
 * Reads the partner's page again whenever one of its changes is newly
 * applied, so the tree shows what Klarna now holds (Klarna's answer is read
 * back right after it is applied; once more a moment later to be sure).
 */
export function useRefreshOnApplied(tenantId: string, changes: readonly PartnerChange[] | undefined) {
  const queryClient = useQueryClient();
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!changes) return;
    const applied = changes.filter((c) => c.status === 'applied').map((c) => c.id);
    if (seen.current === null) {
      seen.current = new Set(applied);
      return;
    }
    const fresh = applied.filter((id) => !seen.current?.has(id));
    if (fresh.length === 0) return;
    fresh.forEach((id) => seen.current?.add(id));
    const refresh = () => {
      void queryClient.invalidateQueries({ queryKey: partnerKeys.detail(tenantId) });
      void queryClient.invalidateQueries({ queryKey: partnerDataKeys.view(tenantId) });
    };
    refresh();
    const t = setTimeout(refresh, 1_000);
    return () => clearTimeout(t);
  }, [changes, queryClient, tenantId]);
}
