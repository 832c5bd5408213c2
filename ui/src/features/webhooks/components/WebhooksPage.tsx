import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';

export function WebhooksPage() {
  return (
    <>
      <PageHeader title="Webhooks" description="Events Klarna sends to Partner Desk." />
      <EmptyState title="No webhook events yet" icon={<InboxIcon />}>
        Signed notifications received from Klarna will be listed here with their verification result and processing state, and can be replayed. Webhook processing is not part of this version yet.
      </EmptyState>
    </>
  );
}
