import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';

export function DisputesPage() {
  const { tenant } = useTenant();
  const merchant = tenant.kind === 'partner';
  return (
    <>
      <PageHeader
        title="Disputes"
        description={merchant ? 'Customer disputes against your store and the deadlines to answer them.' : 'Customer disputes and the deadlines to answer them.'}
      />
      <EmptyState title="No disputes yet" icon={<InboxIcon />}>
        {merchant
          ? 'Disputes opened against your store will appear here, sorted by response deadline, with their state and the evidence Klarna asks you for. Dispute handling is not part of this version yet.'
          : 'Disputes opened against your partners will appear here, sorted by response deadline, with their state and the evidence requested. Dispute handling is not part of this version yet.'}
      </EmptyState>
    </>
  );
}
