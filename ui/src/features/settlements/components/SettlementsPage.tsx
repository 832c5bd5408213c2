import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';

export function SettlementsPage() {
  return (
    <>
      <PageHeader title="Settlements" description="Payouts from Klarna and their reconciliation." />
      <EmptyState title="No settlements yet" icon={<InboxIcon />}>
        Klarna's settlement reports and payouts for your partners will appear here, with the transactions behind each payout and CSV exports. Settlements are not part of this version yet.
      </EmptyState>
    </>
  );
}
