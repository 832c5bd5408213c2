import { Button, Group, Modal, MultiSelect, Stack, TextInput } from '@mantine/core';
import { z } from 'zod';
import { FormError } from '@/components/FormError';
import { rolesFitting, useRoles, type MeTenant } from '@/features/identity';
import { applyServerErrors, useSchemaForm } from '@/lib/form';
import { notify } from '@/lib/notify';
import { useInvite } from '../api/users';

export const inviteSchema = z.object({
  email: z.string().trim().pipe(z.email('Enter an email address such as name@example.com.')),
  roles: z.array(z.string()).min(1, 'Choose at least one role.'),
});

const FIELDS = ['email', 'roles'] as const;

/** Invite an email address with roles that fit the tenant's kind. */
export function InviteModal({ tenant, opened, onClose }: { tenant: MeTenant; opened: boolean; onClose: () => void }) {
  const roles = useRoles();
  const form = useSchemaForm(inviteSchema, { email: '', roles: [] as string[] });
  const invite = useInvite(tenant.id);
  const close = () => {
    form.reset();
    invite.reset();
    onClose();
  };
  const submit = form.onSubmit((values) => {
    invite.mutate(inviteSchema.parse(values), {
      onSuccess: (inv) => {
        notify({ color: 'green', title: 'Invitation created', message: `${inv.email} can now sign in to ${tenant.name}.` });
        close();
      },
      onError: (e) => applyServerErrors(form, e, FIELDS),
    });
  });
  const options = rolesFitting(roles.data?.roles ?? [], tenant.kind).map((r) => r.name);

  return (
    <Modal opened={opened} onClose={close} title={`Invite a user to ${tenant.name}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput label="Email" type="email" placeholder="name@example.com" {...form.getInputProps('email')} data-autofocus required />
          <MultiSelect
            label="Roles"
            placeholder={form.values.roles.length ? undefined : options.length ? 'Choose roles' : 'Loading roles…'}
            data={options}
            {...form.getInputProps('roles')}
            comboboxProps={{ withinPortal: true }}
            required
          />
          <FormError error={invite.error} fields={FIELDS} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={invite.isPending}>
              Send invitation
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
