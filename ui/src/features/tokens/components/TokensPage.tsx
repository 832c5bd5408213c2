import { Badge, Button, Code, Group, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '@/components/ConfirmButton';
import { DataTable, type DataColumn } from '@/components/DataTable';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';
import { formatDate, formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import { useResumedResult } from '@/lib/stepUp';
import { CREATE_TOKEN, tokensQuery, useRevokeToken, type APIToken, type APITokenCreated } from '../api/tokens';
import { CreateTokenModal, tokenTenants } from './CreateTokenModal';
import { SecretModal } from './SecretModal';

const NO_TOKENS: APIToken[] = [];

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

  const columns: DataColumn<APIToken>[] = [
    { id: 'name', header: 'Name', hideable: false, cell: (t) => <Text fw={500} size="sm">{t.name}</Text> },
    { id: 'tenant', header: 'Tenant', cell: (t) => tenantName(t.tenant_id) },
    {
      id: 'roles',
      header: 'Roles',
      cell: (t) => (
        <Group gap={4}>
          {t.roles.map((r) => (
            <Badge key={r} variant="light" tt="none">
              {r}
            </Badge>
          ))}
        </Group>
      ),
    },
    { id: 'prefix', header: 'Prefix', cell: (t) => <Code>{t.prefix}…</Code> },
    { id: 'created', header: 'Created', cell: (t) => formatDate(t.created_at) },
    { id: 'expires', header: 'Expires', cell: (t) => formatDate(t.expires_at) },
    { id: 'last_used', header: 'Last used', cell: (t) => formatDateTime(t.last_used_at, 'Never') },
    {
      id: 'status',
      header: 'Status',
      cell: (t) => (
        <Badge color={STATUS_COLOR[t.status]} variant="light">
          {t.status}
        </Badge>
      ),
    },
    {
      id: 'actions',
      header: 'Actions',
      headerHidden: true,
      hideable: false,
      cell: (t) =>
        t.status === 'active' && (
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
        ),
    },
  ];

  const body = (
    <DataTable
      id="tokens"
      label="Your API tokens"
      columns={columns}
      rows={tokens.data?.items ?? NO_TOKENS}
      rowKey={(t) => t.id}
      rowAttrs={(t) => ({ 'data-token': t.name })}
      loading={!tokens.data}
      loadingLabel="Loading tokens"
      error={tokens.error ?? undefined}
      onRetry={() => void tokens.refetch()}
      minWidth={900}
      empty={{ title: 'No API tokens yet', text: 'Tokens you create appear here with their last use; their secrets are never shown again.' }}
    />
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
