import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import type { Me, MeTenant } from './api/identity';

export interface TenantContextValue {
  me: Me;
  /** Every tenant the user can see, acquirer first. */
  tenants: readonly MeTenant[];
  /** The tenant pages work in. */
  tenant: MeTenant;
  /** A ?tenant= value in the address that names no tenant the user can see. */
  unknownTenant: string | undefined;
  select: (tenantId: string) => void;
  /** True when the user holds `action` in `tenant` (default: the selected one). */
  can: (action: string, tenant?: MeTenant) => boolean;
  /** True when the user holds `action` in at least one tenant. */
  canAnywhere: (action: string) => boolean;
}

const TenantContext = createContext<TenantContextValue | null>(null);

const storageKey = (userId: string) => `pd.tenant.${userId}`;

function find(tenants: readonly MeTenant[], key: string | null | undefined): MeTenant | undefined {
  if (!key) return undefined;
  return tenants.find((t) => t.slug === key || t.id === key);
}

/**
 * Holds the selected tenant. `?tenant=<slug or id>` in the address wins (so
 * links can name a tenant); otherwise the last choice (localStorage), else
 * the first tenant /me lists.
 */
export function TenantProvider({ me, children }: { me: Me; children: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const [stored, setStored] = useState<string | null>(() => localStorage.getItem(storageKey(me.user.id)));
  const requested = params.get('tenant');
  const fromUrl = find(me.tenants, requested);
  const tenant = fromUrl ?? find(me.tenants, stored) ?? me.tenants[0];

  // A tenant named in the address becomes the remembered choice.
  if (fromUrl && fromUrl.id !== stored) setStored(fromUrl.id);
  useEffect(() => {
    if (stored) localStorage.setItem(storageKey(me.user.id), stored);
  }, [stored, me.user.id]);

  const select = useCallback(
    (id: string) => {
      setStored(id);
      if (params.has('tenant')) {
        const slug = find(me.tenants, id)?.slug ?? id;
        setParams(
          (p) => {
            const next = new URLSearchParams(p);
            next.set('tenant', slug);
            return next;
          },
          { replace: true },
        );
      }
    },
    [me, params, setParams],
  );

  const value = useMemo<TenantContextValue | null>(() => {
    if (!tenant) return null;
    return {
      me,
      tenants: me.tenants,
      tenant,
      unknownTenant: requested && !fromUrl ? requested : undefined,
      select,
      can: (action, t = tenant) => t.actions.includes(action),
      canAnywhere: (action) => me.tenants.some((t) => t.actions.includes(action)),
    };
  }, [me, tenant, requested, fromUrl, select]);

  if (!value) return null;
  return <TenantContext.Provider value={value}>{children}</TenantContext.Provider>;
}

/** The logged-in user, the selected tenant and what they may do there. */
export function useTenant(): TenantContextValue {
  const v = useContext(TenantContext);
  if (!v) throw new Error('useTenant: no TenantProvider above (render inside SessionGate)');
  return v;
}
