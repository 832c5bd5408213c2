import { Badge, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageLoader } from '@/components/PageLoader';
import { api } from '@/lib/api';

export const identitySettingsQuery = queryOptions({
  queryKey: ['settings', 'identity'],
  queryFn: ({ signal }) => api.get('/settings/identity', { signal }),
});

/**
 * The identity provider as configured and the claim names (never values) the last logins received,
 * so an admin can see why a group mapping does not match.
 */
export function IdentityProviderCard() {
  const q = useQuery(identitySettingsQuery);
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        Identity provider
      </Title>
      {q.error ? (
        <ErrorPanel error={q.error} onRetry={() => void q.refetch()} />
      ) : !q.data ? (
        <PageLoader label="Loading identity provider settings" />
      ) : (
        <Paper withBorder p="md" radius="md" aria-label="Identity provider">
          <Stack gap="xs">
            <Text size="sm">
              Issuer: <Code>{q.data.issuer}</Code>
            </Text>
            <Text size="sm">
              Scopes requested: <Code>{q.data.scopes.join(' ')}</Code>
            </Text>
            <Text size="sm">
              Groups claim: <Code>{q.data.groups_claim}</Code>
            </Text>
            <Text size="sm">
              Group mappings:{' '}
              {q.data.group_roles.length
                ? q.data.group_roles.map((g) => `${g.group} → ${g.tenant_slug}:${g.role}`).join(', ')
                : 'none (access by invitation only)'}
            </Text>
            <Table aria-label="Claims of recent logins" mt="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Last login</Table.Th>
                  <Table.Th>Claims received (names only)</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.data.recent_logins.map((l) => (
                  <Table.Tr key={l.user_id}>
                    <Table.Td>{l.email || l.user_id}</Table.Td>
                    <Table.Td>{new Date(l.last_login_at).toLocaleString()}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {l.claims.map((c) => (
                          <Badge
                            key={c}
                            variant={c === q.data.groups_claim.split('.')[0] ? 'filled' : 'light'}
                            tt="none"
                          >
                            {c}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}
