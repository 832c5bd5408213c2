import { Badge } from '@mantine/core';
import { useTenant } from '../tenant';
import { TenantSelect } from './TenantSelect';

/**
 * Chooses the tenant pages work in. A user of one tenant sees its name; a
 * user whose roles reach every partner searches them (server-side) instead
 * of scrolling through all of them.
 */
export function TenantSwitcher() {
  const { tenants, tenant, select, reachesAllPartners } = useTenant();
  if (tenants.length <= 1 && !reachesAllPartners) {
    return (
      <Badge variant="light" size="lg" tt="none" aria-label="Tenant">
        {tenant.name}
      </Badge>
    );
  }
  return (
    <TenantSelect
      aria-label="Tenant"
      placeholder="Search tenants"
      value={tenant.id}
      onChange={(v, t) => v && select(v, t)}
      allowDeselect={false}
      w={220}
      size="sm"
    />
  );
}
