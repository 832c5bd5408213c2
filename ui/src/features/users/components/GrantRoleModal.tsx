import { Button, Group, Modal, Select, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldError, FormError } from '@/components/FormError';
import { rolesFitting, useRoles, type MeTenant } from '@/features/identity';
import { notify } from '@/lib/notify';
import { useGrantRole, type TenantUser } from '../api/users';

/** Grant one more role to a user of the tenant. */
export function GrantRoleModal({ tenant, user, onClose }: { tenant: MeTenant; user: TenantUser | null; onClose: () => void }) {
  const roles = useRoles();
  const [role, setRole] = useState<string | null>(null);
  const grant = useGrantRole(tenant.id);
  const close = () => {
    setRole(null);
    grant.reset();
    onClose();
  };
  const held = new Set(user?.roles.map((r) => r.role) ?? []);
  const options = rolesFitting(roles.data?.roles ?? [], tenant.kind)
    .map((r) => r.name)
    .filter((r) => !held.has(r));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!user || !role) return;
    grant.mutate(
      { user, role },
      {
        onSuccess: () => {
          notify({ color: 'green', title: 'Role granted', message: `${user.email} now holds ${role} in ${tenant.name}.` });
          close();
        },
      },
    );
  };

  return (
    <Modal opened={user !== null} onClose={close} title={`Grant a role to ${user?.name || user?.email || ''}`} centered>
      <form onSubmit={submit}>
        <Stack>
          <Select
            label="Role"
            placeholder={options.length ? 'Choose a role' : 'No other role fits this tenant'}
            data={options}
            value={role}
            onChange={setRole}
            error={fieldError(grant.error, 'role')}
            comboboxProps={{ withinPortal: true }}
          />
          <FormError error={grant.error} fields={['role']} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={!role} loading={grant.isPending}>
              Grant role
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
