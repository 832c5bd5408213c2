import { Code, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { EmptyState } from '@/components/EmptyState';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '../tenant';

interface RequireActionProps {
  /** The action needed in the selected tenant; none = any logged-in user. */
  action?: string;
  /** The page works on one tenant: an unknown ?tenant= is "not found". */
  tenantScoped?: boolean;
  title: string;
  children: ReactNode;
}

/** Shows the page only when the user may see it; otherwise says why, without revealing more. */
export function RequireAction({ action, tenantScoped, title, children }: RequireActionProps) {
  const { can, tenant, unknownTenant } = useTenant();
  if (tenantScoped && unknownTenant) {
    return (
      <>
        <PageHeader title="Not found" />
        <EmptyState title="There is no such tenant">
          <Text component="span">
            No tenant <Code>{unknownTenant}</Code> exists that you can see. Choose one from the tenant switcher instead.
          </Text>
        </EmptyState>
      </>
    );
  }
  if (action && !can(action)) {
    return (
      <>
        <PageHeader title={title} />
        <EmptyState title="You don’t have access to this page">
          Your roles in {tenant.name} do not include <Code>{action}</Code>. Ask an administrator if you need it.
        </EmptyState>
      </>
    );
  }
  return <>{children}</>;
}
