import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';

export function PartnersPage() {
  return (
    <>
      <PageHeader title="Partners" description="Merchants you distribute Klarna to." />
      <EmptyState title="No partners yet" icon={<InboxIcon />}>
        Partners you onboard to Klarna will be listed here with their onboarding state, brands, stores and credentials. Partner onboarding is not part of this version yet.
      </EmptyState>
    </>
  );
}
