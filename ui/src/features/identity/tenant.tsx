import { useQuery } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { tenantLookupQuery, type Me, type MeTenant, type TenantSummary } from './api/identity';

export interface TenantContextValue {
  me: Me;
  /** The tenants where the user holds roles, acquirer first (not every partner: see reachesAllPartners). */
  tenants: readonly MeTenant[];
  /** True when the user's acquirer roles reach every partner (found with TenantSelect / GET /tenants). */
  reachesAllPartners: boolean;
  /** The tenant pages work in. */
  tenant: MeTenant;
  /** A ?tenant= value in the address that names no tenant the user can see. */
  unknownTenant: string | undefined;
  /** Selects a tenant by id; pass the tenant when it came from a search. */
  select: (tenantId: string, found?: TenantSummary) => void;
  /** True when the user holds `action` in `tenant` (default: the selected one). */
  can: (action: string, tenant?: MeTenant) => boolean;
  /** True when the user holds `action` in at least one tenant. */
  canAnywhere: (action: string) => boolean;
}

const TenantContext = createContext<TenantContextValue | null>(null);

const storageKey = (userId: string) => `pd.tenant.${userId}`;

/** Forgets the remembered tenant choice (on sign-out, so the next sign-in starts afresh). */
export function forgetTenantChoice(userId: string) {
  localStorage.removeItem(storageKey(userId));
}

function find(tenants: readonly MeTenant[], key: string | null | undefined): MeTenant | undefined {
  if (!key) return undefined;
  return tenants.find((t) => t.slug === key || t.id === key);
}

/** A partner reached through acquirer roles: the acquirer tenant's actions apply there. */
function reached(t: TenantSummary, via: MeTenant): MeTenant {
  return { ...t, roles: [], actions: via.actions, all_partners: false };
}

/**
 * Holds the selected tenant. `?tenant=<slug or id>` in the address wins (so
 * links can name a tenant); otherwise the last choice (localStorage), else
 * the first tenant /me lists. A partner reached through acquirer roles is
 * looked up by its key (GET /tenants), never found in a list of all of them.
 */
export function TenantProvider({ me, children }: { me: Me; children: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const [stored, setStored] = useState<string | null>(() => localStorage.getItem(storageKey(me.user.id)));
  const [picked, setPicked] = useState<MeTenant | undefined>();
  const via = me.tenants.find((t) => t.all_partners);
  const known = useMemo(() => (picked && !find(me.tenants, picked.id) ? [...me.tenants, picked] : me.tenants), [me.tenants, picked]);
  const requested = params.get('tenant');
  const key = requested ?? stored;
  const lookupEnabled = !!key && !!via && !find(known, key);
  const lookup = useQuery({ ...tenantLookupQuery(key ?? ''), enabled: lookupEnabled });
  const found = !find(known, key) && lookup.data && via ? reached(lookup.data, via) : undefined;
  const pending = lookupEnabled && lookup.isPending;
  const resolve = (k: string | null) => find(known, k) ?? (found && (found.slug === k || found.id === k) ? found : undefined);
  const fromUrl = resolve(requested);
  const tenant = fromUrl ?? resolve(stored) ?? me.tenants[0];

  // A tenant named in the address becomes the remembered choice.
  if (fromUrl && fromUrl.id !== stored) setStored(fromUrl.id);
  // A remembered choice that is none of this user's tenants is dropped.
  if (stored && !requested && !pending && !resolve(stored)) setStored(null);
  useEffect(() => {
    if (stored) localStorage.setItem(storageKey(me.user.id), stored);
    else localStorage.removeItem(storageKey(me.user.id));
  }, [stored, me.user.id]);

  const select = useCallback(
    (id: string, summary?: TenantSummary) => {
      const next = find(known, id) ?? (summary && via ? reached(summary, via) : undefined);
      if (next && !find(me.tenants, id)) setPicked(next);
      setStored(id);
      if (params.has('tenant')) {
        const slug = next?.slug ?? id;
        setParams(
          (p) => {
            const q = new URLSearchParams(p);
            q.set('tenant', slug);
            return q;
          },
          { replace: true },
        );
      }
    },
    [known, me.tenants, via, params, setParams],
  );

  const value = useMemo<TenantContextValue | null>(() => {
    if (!tenant) return null;
    return {
      me,
      tenants: me.tenants,
      reachesAllPartners: !!via,
      tenant,
      unknownTenant: requested && !fromUrl ? requested : undefined,
      select,
      can: (action, t = tenant) => t.actions.includes(action),
      canAnywhere: (action) => me.tenants.some((t) => t.actions.includes(action)),
    };
  }, [me, via, tenant, requested, fromUrl, select]);

  if (!value || pending) return null;
  return <TenantContext.Provider value={value}>{children}</TenantContext.Provider>;
}

/** The logged-in user, the selected tenant and what they may do there. */
export function useTenant(): TenantContextValue {
  const v = useContext(TenantContext);
  if (!v) throw new Error('useTenant: no TenantProvider above (render inside SessionGate)');
  return v;
}
