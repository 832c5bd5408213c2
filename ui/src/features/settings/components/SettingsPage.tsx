import { EmptyState } from '@/components/EmptyState';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Users, roles and configuration." />
      <EmptyState title="No settings yet" icon={<InboxIcon />}>
        Users, role assignments and the connection to Klarna will be managed here. Until then Partner Desk is configured through environment variables when the server starts.
      </EmptyState>
    </>
  );
}
