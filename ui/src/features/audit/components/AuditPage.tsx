import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';

export function AuditPage() {
  return (
    <>
      <PageHeader title="Audit" description="Who changed what, and when." />
      <EmptyState title="No audit entries yet" icon={<InboxIcon />}>
        Every change made through Partner Desk will be recorded here with the person who made it, the partner it concerns and the time. The audit trail is not part of this version yet.
      </EmptyState>
    </>
  );
}
