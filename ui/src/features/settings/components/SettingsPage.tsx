import { Anchor, Badge, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { rolesQuery, useTenant } from '@/features/identity';
import { EmailPreferences } from '@/features/notifications';
import { IdentityProviderCard } from './IdentityProviderCard';
import { KlarnaCredentialsCard } from './KlarnaCredentialsCard';

/** The effective permission table (which role allows which action) and links to user and token management. */
export function SettingsPage() {
  const { tenant, can } = useTenant();
  const roles = useQuery(rolesQuery);

  return (
    <>
      <PageHeader title="Settings" description="Roles, users, API tokens and webhooks." />
      <Stack gap="xl">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {can('user:read') && (
            <Paper withBorder p="md" radius="md">
              <Anchor component={Link} to="/settings/users" fw={600}>
                Users & roles
              </Anchor>
              <Text size="sm" c="dimmed">
                Who holds which role in {tenant.name}; invitations.
              </Text>
            </Paper>
          )}
          {can('webhook:read') && (
            <Paper withBorder p="md" radius="md">
              <Anchor component={Link} to="/settings/webhooks" fw={600}>
                Webhooks
              </Anchor>
              <Text size="sm" c="dimmed">
                Klarna subscriptions, signing keys and event counters.
              </Text>
            </Paper>
          )}
          {can('token:manage') && (
            <Paper withBorder p="md" radius="md">
              <Anchor component={Link} to="/settings/tokens" fw={600}>
                API tokens
              </Anchor>
              <Text size="sm" c="dimmed">
                Your tokens for scripts and integrations.
              </Text>
            </Paper>
          )}
        </SimpleGrid>

        <EmailPreferences />

        {tenant.all_partners && can('user:manage') && <IdentityProviderCard />}

        {tenant.all_partners && can('credential:read') && <KlarnaCredentialsCard />}

        <Stack gap="sm">
          <Title order={2} size="h4">
            Roles and what they allow
          </Title>
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              Your roles in {tenant.name}:
            </Text>
            {tenant.roles.length ? (
              tenant.roles.map((r) => (
                <Badge key={r} variant="light" tt="none">
                  {r}
                </Badge>
              ))
            ) : (
              <Text size="sm">none held here directly</Text>
            )}
          </Group>
          {roles.error ? (
            <ErrorPanel error={roles.error} onRetry={() => void roles.refetch()} />
          ) : !roles.data ? (
            <PageLoader label="Loading roles" />
          ) : (
            <Paper withBorder radius="md">
              <Table.ScrollContainer minWidth={900}>
                <Table striped withColumnBorders aria-label="Role permissions">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Action</Table.Th>
                      {roles.data.roles.map((r) => (
                        <Table.Th key={r.name} ta="center">
                          <Text size="sm" fw={600}>
                            {r.name}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {r.scope}
                          </Text>
                        </Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {roles.data.actions.map((a) => (
                      <Table.Tr key={a}>
                        <Table.Th scope="row">
                          <code>{a}</code>
                        </Table.Th>
                        {roles.data.roles.map((r) =>
                          r.actions.includes(a) ? (
                            <Table.Td key={r.name} ta="center" aria-label={`${r.name} may ${a}`} c="green">
                              ✓
                            </Table.Td>
                          ) : (
                            <Table.Td key={r.name} ta="center" aria-label={`${r.name} may not ${a}`} c="dimmed">
                              ·
                            </Table.Td>
                          ),
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
          )}
        </Stack>
      </Stack>
    </>
  );
}
