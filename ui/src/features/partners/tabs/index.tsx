import { Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { useTenant } from '@/features/identity';
import type { PartnerDetail } from '../api/partners';
import { AccountDataTab } from './AccountDataTab';
import { BrandDataTab } from './BrandDataTab';
import { ChangeHistoryTab } from './ChangeHistoryTab';
import { CredentialsTab } from './CredentialsTab';
import { OffboardingTab } from './OffboardingTab';
import { ProductsTab } from './ProductsTab';

/** One tab of a partner's page: shown when the user holds `action` (null: everyone who sees the partner). */
interface PartnerTab {
  value: string;
  label: string;
  action: string | null;
  render: (detail: PartnerDetail) => ReactNode;
}

/** Each area of a partner's account owns one line here and one file beside it. */
const TABS: readonly PartnerTab[] = [
  { value: 'brand', label: 'Brand data', action: 'partner:read', render: (d) => <BrandDataTab detail={d} /> },

  { value: 'account', label: 'Account & business', action: 'partner:read', render: (d) => <AccountDataTab detail={d} /> },

  { value: 'products', label: 'Payment product', action: 'partner:read', render: (d) => <ProductsTab detail={d} /> },

  { value: 'credentials', label: 'Credentials', action: 'credential:read', render: (d) => <CredentialsTab detail={d} /> },

  { value: 'history', label: 'Change history', action: 'partner:read', render: (d) => <ChangeHistoryTab detail={d} /> },

  { value: 'offboarding', label: 'Offboarding', action: 'product:manage', render: (d) => <OffboardingTab detail={d} /> },
];

/** The tabs a user with `can` sees on a partner's page, besides Overview. */
export function visibleTabs(can: (action: string) => boolean): readonly PartnerTab[] {
  return TABS.filter((t) => t.action === null || can(t.action));
}

/**
 * A partner's page below its header: "Overview" (the hierarchy, `overview`) and one tab per area the user
 * may see. The open tab lives in the address (`?tab=`), so a link can open it.
 */
export function PartnerTabs({ detail, overview }: { detail: PartnerDetail; overview: ReactNode }) {
  const { can } = useTenant();
  const [params, setParams] = useSearchParams();
  const tabs = visibleTabs(can);
  const asked = params.get('tab');
  const current = tabs.some((t) => t.value === asked) ? (asked as string) : 'overview';
  const open = (v: string | null) => {
    const next = new URLSearchParams(params);
    if (!v || v === 'overview') next.delete('tab');
    else next.set('tab', v);
    setParams(next, { replace: true });
  };
  return (
    <Tabs value={current} onChange={open} keepMounted={false}>
      <Tabs.List mb="md" style={{ flexWrap: 'nowrap', overflowX: 'auto' }}>
        <Tabs.Tab value="overview">Overview</Tabs.Tab>
        {tabs.map((t) => (
          <Tabs.Tab key={t.value} value={t.value}>
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      <Tabs.Panel value="overview">{overview}</Tabs.Panel>
      {tabs.map((t) => (
        <Tabs.Panel key={t.value} value={t.value}>
          {t.render(detail)}
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
