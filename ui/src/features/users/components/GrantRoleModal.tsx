import { Button, Group, Modal, Select, Stack } from '@mantine/core';
import { z } from 'zod';
import { FormError } from '@/components/FormError';
import { rolesFitting, useRoles, type MeTenant } from '@/features/identity';
import { applyServerErrors, useSchemaForm } from '@/lib/form';
import { notify } from '@/lib/notify';
import { useGrantRole, type TenantUser } from '../api/users';

const grantSchema = z.object({ role: z.string().min(1, 'Choose a role.') });
const FIELDS = ['role'] as const;

/** Grant one more role to a user of the tenant. */
export function GrantRoleModal({ tenant, user, onClose }: { tenant: MeTenant; user: TenantUser | null; onClose: () => void }) {
  const roles = useRoles();
  const form = useSchemaForm(grantSchema, { role: '' });
  const grant = useGrantRole(tenant.id);
  const close = () => {
    form.reset();
    grant.reset();
    onClose();
  };
  const held = new Set(user?.roles.map((r) => r.role) ?? []);
  const options = rolesFitting(roles.data?.roles ?? [], tenant.kind)
    .map((r) => r.name)
    .filter((r) => !held.has(r));
  const submit = form.onSubmit(({ role }) => {
    if (!user) return;
    grant.mutate(
      { user, role },
      {
        onSuccess: () => {
          notify({ color: 'green', title: 'Role granted', message: `${user.email} now holds ${role} in ${tenant.name}.` });
          close();
        },
        onError: (e) => applyServerErrors(form, e, FIELDS),
      },
    );
  });

  return (
    <Modal opened={user !== null} onClose={close} title={`Grant a role to ${user?.name || user?.email || ''}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Select
            label="Role"
            placeholder={options.length ? 'Choose a role' : 'No other role fits this tenant'}
            data={options}
            {...form.getInputProps('role')}
            onChange={(v) => form.setFieldValue('role', v ?? '')}
            comboboxProps={{ withinPortal: true }}
          />
          <FormError error={grant.error} fields={FIELDS} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" disabled={options.length === 0} loading={grant.isPending}>
              Grant role
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
