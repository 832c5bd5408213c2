import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';

export function SettlementsPage() {
  const { tenant } = useTenant();
  const merchant = tenant.kind === 'partner';
  return (
    <>
      <PageHeader title="Settlements" description={merchant ? 'Payouts from Klarna to your store.' : 'Payouts from Klarna and their reconciliation.'} />
      <EmptyState title="No settlements yet" icon={<InboxIcon />}>
        {merchant
          ? 'Klarna’s settlement reports and payouts for your store will appear here, with the transactions behind each payout and CSV exports. Settlements are not part of this version yet.'
          : 'Klarna’s settlement reports and payouts for your partners will appear here, with the transactions behind each payout and CSV exports. Settlements are not part of this version yet.'}
      </EmptyState>
    </>
  );
}
