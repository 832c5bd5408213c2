import { Badge, Select } from '@mantine/core';
import { useTenant } from '../tenant';

/** Chooses the tenant pages work in; only shown when there is more than one. */
export function TenantSwitcher() {
  const { tenants, tenant, select } = useTenant();
  if (tenants.length <= 1) {
    return (
      <Badge variant="light" size="lg" tt="none" aria-label="Tenant">
        {tenant.name}
      </Badge>
    );
  }
  const acquirer = tenants.filter((t) => t.kind === 'acquirer');
  const partners = tenants.filter((t) => t.kind === 'partner');
  const data = [
    ...(acquirer.length ? [{ group: 'Acquirer', items: acquirer.map((t) => ({ value: t.id, label: t.name })) }] : []),
    ...(partners.length ? [{ group: 'Partners', items: partners.map((t) => ({ value: t.id, label: t.name })) }] : []),
  ];
  return (
    <Select
      aria-label="Tenant"
      data={data}
      value={tenant.id}
      onChange={(v) => v && select(v)}
      allowDeselect={false}
      searchable={tenants.length > 8}
      w={220}
      size="sm"
      comboboxProps={{ withinPortal: true }}
    />
  );
}
