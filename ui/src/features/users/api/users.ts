import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import { action, useApiMutation } from '@/lib/stepUp';

export type TenantUser = Schemas['TenantUser'];
export type Invitation = Schemas['Invitation'];

export const tenantUsersKey = (tenantId: string) => ['tenant-users', tenantId] as const;

export const tenantUsersQuery = (tenantId: string) =>
  queryOptions({
    queryKey: tenantUsersKey(tenantId),
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/users', { path: { tenant: tenantId }, signal }),
  });

export function useInvite(tenantId: string) {
  return useApiMutation({
    action: (v: { email: string; roles: string[] }) =>
      action('post', '/tenants/{tenant}/invitations', { path: { tenant: tenantId }, body: v }, { kind: 'invitation:create', label: `Invite ${v.email}` }),
    invalidate: [tenantUsersKey(tenantId)],
  });
}

export function useRevokeInvitation(tenantId: string) {
  return useApiMutation({
    action: (inv: Invitation) =>
      action(
        'delete',
        '/tenants/{tenant}/invitations/{invitation}',
        { path: { tenant: tenantId, invitation: inv.id } },
        { kind: 'invitation:revoke', label: `Withdraw the invitation of ${inv.email}` },
      ),
    invalidate: [tenantUsersKey(tenantId)],
  });
}

export function useGrantRole(tenantId: string) {
  return useApiMutation({
    action: (v: { user: TenantUser; role: string }) =>
      action(
        'put',
        '/tenants/{tenant}/users/{user}/roles/{role}',
        { path: { tenant: tenantId, user: v.user.id, role: v.role } },
        { kind: 'role:grant', label: `Grant ${v.role} to ${v.user.email || v.user.name}` },
      ),
    invalidate: [tenantUsersKey(tenantId)],
  });
}

export function useRevokeRole(tenantId: string) {
  return useApiMutation({
    action: (v: { user: TenantUser; role: string }) =>
      action(
        'delete',
        '/tenants/{tenant}/users/{user}/roles/{role}',
        { path: { tenant: tenantId, user: v.user.id, role: v.role } },
        { kind: 'role:revoke', label: `Revoke ${v.role} from ${v.user.email || v.user.name}` },
      ),
    invalidate: [tenantUsersKey(tenantId)],
  });
}

export function useSetDisabled(tenantId: string) {
  return useApiMutation({
    action: (v: { user: TenantUser; disabled: boolean }) =>
      action(
        'put',
        '/tenants/{tenant}/users/{user}/disabled',
        { path: { tenant: tenantId, user: v.user.id }, body: { disabled: v.disabled } },
        { kind: 'user:disable', label: `${v.disabled ? 'Disable' : 'Enable'} ${v.user.email || v.user.name}` },
      ),
    invalidate: [tenantUsersKey(tenantId)],
  });
}
