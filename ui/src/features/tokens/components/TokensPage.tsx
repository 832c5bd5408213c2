import { Badge, Button, Code, Group, Paper, Table } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '@/components/ConfirmButton';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { formatDate, formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import { useResumedResult } from '@/lib/stepUp';
import { CREATE_TOKEN, tokensQuery, useRevokeToken, type APIToken, type APITokenCreated } from '../api/tokens';
import { CreateTokenModal, tokenTenants } from './CreateTokenModal';
import { SecretModal } from './SecretModal';

const STATUS_COLOR: Record<APIToken['status'], string> = { active: 'green', expired: 'gray', revoked: 'red' };

/** The user's own API tokens: list, create (secret shown once), revoke. */
export function TokensPage() {
  const { tenants } = useTenant();
  const tokens = useQuery(tokensQuery);
  const [createOpen, create] = useDisclosure(false);
  const [created, setCreated] = useState<APITokenCreated>();
  // A creation that needed a fresh login finishes after the redirect; its secret arrives here.
  const [resumed, clearResumed] = useResumedResult<APITokenCreated>(CREATE_TOKEN);
  const shown = created ?? resumed;
  const revoke = useRevokeToken();
  const tenantName = (id: string) => tenants.find((t) => t.id === id)?.name ?? id;
  const canCreate = tokenTenants(tenants).length > 0;

  const header = (
    <Group justify="space-between" align="flex-start">
      <PageHeader title="API tokens" description="Tokens let scripts call the Partner Desk API with some of your roles in one tenant." />
      {canCreate && <Button onClick={create.open}>Create token</Button>}
    </Group>
  );

  let body;
  if (tokens.error) body = <ErrorPanel error={tokens.error} onRetry={() => void tokens.refetch()} />;
  else if (!tokens.data) body = <PageLoader label="Loading tokens" />;
  else if (tokens.data.items.length === 0)
    body = <EmptyState title="No API tokens yet">Tokens you create appear here with their last use; their secrets are never shown again.</EmptyState>;
  else
    body = (
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={900}>
          <Table verticalSpacing="sm" aria-label="Your API tokens">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Tenant</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Prefix</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data.items.map((t) => (
                <Table.Tr key={t.id} data-token={t.name}>
                  <Table.Td fw={500}>{t.name}</Table.Td>
                  <Table.Td>{tenantName(t.tenant_id)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {t.roles.map((r) => (
                        <Badge key={r} variant="light" tt="none">
                          {r}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Code>{t.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>{formatDate(t.created_at)}</Table.Td>
                  <Table.Td>{formatDate(t.expires_at)}</Table.Td>
                  <Table.Td>{formatDateTime(t.last_used_at, 'Never')}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[t.status]} variant="light">
                      {t.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {t.status === 'active' && (
                      <ConfirmButton
                        title={`Revoke “${t.name}”?`}
                        message="It stops working at once; anything using it will be refused."
                        confirmLabel="Revoke token"
                        aria-label={`Revoke ${t.name}`}
                        onConfirm={() =>
                          revoke.mutate(t, {
                            onSuccess: () => notify({ color: 'green', title: 'Token revoked', message: `“${t.name}” no longer works.` }),
                            onError: (e) => notify({ color: 'red', title: 'Could not revoke the token', message: e.message }),
                          })
                        }
                      >
                        Revoke
                      </ConfirmButton>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    );

  return (
    <>
      {header}
      {body}
      {createOpen && <CreateTokenModal opened={createOpen} onClose={create.close} onCreated={setCreated} />}
      <SecretModal
        created={shown}
        onClose={() => {
          setCreated(undefined);
          clearResumed();
        }}
      />
    </>
  );
}
