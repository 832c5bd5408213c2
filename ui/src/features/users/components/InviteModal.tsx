import { Button, Group, Modal, MultiSelect, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldError, FormError } from '@/components/FormError';
import { rolesFitting, useRoles, type MeTenant } from '@/features/identity';
import { notify } from '@/lib/notify';
import { useInvite } from '../api/users';

/** Invite an email address with roles that fit the tenant's kind. */
export function InviteModal({ tenant, opened, onClose }: { tenant: MeTenant; opened: boolean; onClose: () => void }) {
  const roles = useRoles();
  const [email, setEmail] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const invite = useInvite(tenant.id);
  const close = () => {
    setEmail('');
    setChosen([]);
    invite.reset();
    onClose();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate(
      { email: email.trim(), roles: chosen },
      {
        onSuccess: (inv) => {
          notify({ color: 'green', title: 'Invitation created', message: `${inv.email} can now sign in to ${tenant.name}.` });
          close();
        },
      },
    );
  };
  const options = rolesFitting(roles.data?.roles ?? [], tenant.kind).map((r) => r.name);

  return (
    <Modal opened={opened} onClose={close} title={`Invite a user to ${tenant.name}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Email"
            type="email"
            placeholder="name@example.com"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldError(invite.error, 'email')}
            data-autofocus
            required
          />
          <MultiSelect
            label="Roles"
            placeholder={chosen.length ? undefined : options.length ? 'Choose roles' : 'Loading roles…'}
            data={options}
            value={chosen}
            onChange={setChosen}
            error={fieldError(invite.error, 'roles')}
            comboboxProps={{ withinPortal: true }}
            required
          />
          <FormError error={invite.error} fields={['email', 'roles']} />
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
