import { Anchor, Paper, SimpleGrid, Text } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';
import { PartnerView } from './PartnerPage';

/** Where a merchant can go from its overview, each behind the action the section needs. */
const SHORTCUTS = [
  { action: 'partner:read', path: '/partners/onboarding', label: 'Onboarding', text: 'Where your account stands in onboarding with Klarna.' },
  { action: 'dispute:read', path: '/disputes', label: 'Disputes', text: 'Disputes opened against your store and their deadlines.' },
  { action: 'settlement:read', path: '/settlements', label: 'Settlements', text: 'Payouts from Klarna to your store.' },
  { action: 'user:read', path: '/settings/users', label: 'Users & roles', text: 'Who in your team may do what here.' },
  { action: 'token:manage', path: '/settings/tokens', label: 'API tokens', text: 'Tokens for your scripts and integrations.' },
] as const;

/** A partner tenant's own page: its Klarna account, in the merchant's words. */
export function PartnerOverviewPage() {
  const { tenant, can } = useTenant();
  const shortcuts = SHORTCUTS.filter((s) => can(s.action));
  return (
    <>
      <PageHeader title="Overview" description={`${tenant.name}: your store’s Klarna account.`} />
      <PartnerView tenantId={tenant.id} embedded />
      {shortcuts.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="lg">
          {shortcuts.map((s) => (
            <Paper key={s.path} withBorder p="md" radius="md">
              <Anchor component={Link} to={s.path} fw={600}>
                {s.label}
              </Anchor>
              <Text size="sm" c="dimmed">
                {s.text}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
      )}
    </>
  );
}
