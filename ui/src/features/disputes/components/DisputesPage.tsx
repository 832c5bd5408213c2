import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';

export function DisputesPage() {
  return (
    <>
      <PageHeader title="Disputes" description="Customer disputes and the deadlines to answer them." />
      <EmptyState title="No disputes yet" icon={<InboxIcon />}>
        Disputes opened against your partners will appear here, sorted by response deadline, with their state and the evidence requested. Dispute handling is not part of this version yet.
      </EmptyState>
    </>
  );
}
