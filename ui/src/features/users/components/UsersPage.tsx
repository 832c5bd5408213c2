import { Badge, Button, CloseButton, Group, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '@/components/ConfirmButton';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { DataTable, type DataColumn } from '@/components/DataTable';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatDate, formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import { tenantUsersQuery, useRevokeInvitation, useRevokeRole, useSetDisabled, type Invitation, type TenantUser } from '../api/users';
import { GrantRoleModal } from './GrantRoleModal';
import { InviteModal } from './InviteModal';

const SOURCE_LABEL: Record<TenantUser['roles'][number]['source'], string> = {
  manual: 'granted',
  invitation: 'invited',
  idp_group: 'IdP group',
  seed: 'seeded',
};

function failed(title: string) {
  return (e: unknown) => notify({ color: 'red', title, message: e instanceof Error ? e.message : String(e) });
}

/** Users holding roles in the selected tenant, their roles, and open invitations. */
export function UsersPage() {
  const { tenant, can, me } = useTenant();
  const manage = can('user:manage');
  const users = useQuery(tenantUsersQuery(tenant.id));
  const [inviteOpen, invite] = useDisclosure(false);
  const [granting, setGranting] = useState<TenantUser | null>(null);
  const [revoking, setRevoking] = useState<{ user: TenantUser; role: string } | null>(null);
  const revokeRole = useRevokeRole(tenant.id);
  const setDisabled = useSetDisabled(tenant.id);
  const revokeInvitation = useRevokeInvitation(tenant.id);

  const header = (
    <Group justify="space-between" align="flex-start">
      <PageHeader title="Users & roles" description={`People who hold roles in ${tenant.name}.`} />
      {manage && <Button onClick={invite.open}>Invite user</Button>}
    </Group>
  );

  if (users.error) {
    if (users.error instanceof ApiError && users.error.status === 404) {
      return (
        <>
          <PageHeader title="Not found" />
          <EmptyState title="There is no such tenant">This tenant does not exist or you cannot see it.</EmptyState>
        </>
      );
    }
    return (
      <>
        {header}
        <ErrorPanel error={users.error} onRetry={() => void users.refetch()} />
      </>
    );
  }
  if (!users.data) return (
    <>
      {header}
      <PageLoader label="Loading users" />
    </>
  );

  const { users: list, invitations } = users.data;
  const userColumns: DataColumn<TenantUser>[] = [
    {
      id: 'user',
      header: 'User',
      hideable: false,
      cell: (u) => (
        <>
          <Text fw={500}>{u.name || u.email}</Text>
          <Text size="sm" c="dimmed">
            {u.email}
          </Text>
        </>
      ),
    },
    {
      id: 'roles',
      header: 'Roles',
      cell: (u) => (
        <Group gap={6}>
          {u.roles.map((r) => (
            <Tooltip key={r.role} label={`${SOURCE_LABEL[r.source]} on ${formatDate(r.granted_at)}`}>
              <Badge
                variant="light"
                tt="none"
                rightSection={manage ? <CloseButton size="xs" aria-label={`Revoke ${r.role} from ${u.email}`} onClick={() => setRevoking({ user: u, role: r.role })} /> : undefined}
              >
                {r.role}{' '}
                <Text span size="xs" c="dimmed">
                  · {SOURCE_LABEL[r.source]}
                </Text>
              </Badge>
            </Tooltip>
          ))}
        </Group>
      ),
    },
    { id: 'last_login', header: 'Last login', nowrap: true, cell: (u) => <Text size="sm">{formatDateTime(u.last_login_at, 'Never')}</Text> },
    {
      id: 'status',
      header: 'Status',
      cell: (u) => (u.disabled ? <Badge color="red">Disabled</Badge> : <Badge color="green" variant="light">Active</Badge>),
    },
  ];
  if (manage)
    userColumns.push({
      id: 'actions',
      header: 'Actions',
      headerHidden: true,
      hideable: false,
      cell: (u) => (
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          <Button size="xs" variant="default" onClick={() => setGranting(u)} aria-label={`Grant a role to ${u.email}`}>
            Grant role
          </Button>
          {u.id !== me.user.id &&
            (u.disabled ? (
              <Button
                size="xs"
                variant="light"
                loading={setDisabled.isPending && setDisabled.variables?.user.id === u.id}
                onClick={() => setDisabled.mutate({ user: u, disabled: false }, { onError: failed('Could not enable the user') })}
                aria-label={`Enable ${u.email}`}
              >
                Enable
              </Button>
            ) : (
              <ConfirmButton
                title={`Disable ${u.email}?`}
                message={
                  tenant.kind === 'acquirer'
                    ? 'Their account is disabled everywhere: they are signed out at once and all their API tokens are revoked for good. You can enable the account again later; tokens stay revoked.'
                    : `They lose access to ${tenant.name} at once and their API tokens for it are revoked for good. Their other tenants are not affected. You can enable them here again later.`
                }
                onConfirm={() => setDisabled.mutate({ user: u, disabled: true }, { onError: failed('Could not disable the user') })}
                aria-label={`Disable ${u.email}`}
                confirmLabel="Disable"
              >
                Disable
              </ConfirmButton>
            ))}
        </Group>
      ),
    });

  const invitationColumns: DataColumn<Invitation>[] = [
    { id: 'email', header: 'Email', cell: (inv) => inv.email },
    {
      id: 'roles',
      header: 'Roles',
      cell: (inv) => (
        <Group gap={6}>
          {inv.roles.map((r) => (
            <Badge key={r} variant="outline" tt="none">
              {r}
            </Badge>
          ))}
        </Group>
      ),
    },
    { id: 'expires', header: 'Expires', cell: (inv) => formatDate(inv.expires_at) },
  ];
  if (manage)
    invitationColumns.push({
      id: 'actions',
      header: 'Actions',
      headerHidden: true,
      hideable: false,
      cell: (inv) => (
        <Group justify="flex-end">
          <ConfirmButton
            title={`Withdraw the invitation of ${inv.email}?`}
            message="They will not be able to sign in with it."
            onConfirm={() => revokeInvitation.mutate(inv, { onError: failed('Could not withdraw the invitation') })}
            aria-label={`Withdraw the invitation of ${inv.email}`}
            confirmLabel="Withdraw"
          >
            Withdraw
          </ConfirmButton>
        </Group>
      ),
    });

  return (
    <>
      {header}
      <Stack gap="xl">
        <DataTable
          id="users"
          label={`Users of ${tenant.name}`}
          columns={userColumns}
          rows={list}
          rowKey={(u) => u.id}
          rowAttrs={(u) => ({ 'data-user': u.email })}
          minWidth={900}
          empty={{ title: 'No users yet', text: `People you invite to ${tenant.name} appear here once they have signed in.` }}
        />

        <Stack gap="sm">
          <Title order={2} size="h4">
            Open invitations
          </Title>
          {invitations.length === 0 ? (
            <Text c="dimmed" size="sm">
              No open invitations.
            </Text>
          ) : (
            <DataTable
              id="invitations"
              label="Open invitations"
              columns={invitationColumns}
              rows={invitations}
              rowKey={(inv) => inv.id}
              columnChoice={false}
              minWidth={600}
              empty={{ title: 'No open invitations', text: '' }}
            />
          )}
        </Stack>
      </Stack>

      {manage && (
        <>
          <InviteModal tenant={tenant} opened={inviteOpen} onClose={invite.close} />
          <GrantRoleModal tenant={tenant} user={granting} onClose={() => setGranting(null)} />
          <ConfirmDialog
            opened={revoking !== null}
            onClose={() => setRevoking(null)}
            title={`Revoke ${revoking?.role ?? ''}?`}
            message={`${revoking?.user.email ?? ''} loses ${revoking?.role ?? ''} in ${tenant.name} at once.`}
            confirmLabel="Revoke role"
            onConfirm={() => revoking && revokeRole.mutate(revoking, { onError: failed('Could not revoke the role') })}
          />
        </>
      )}
    </>
  );
}
