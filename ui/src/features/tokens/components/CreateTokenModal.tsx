import { Button, Group, Modal, MultiSelect, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldError, FormError } from '@/components/FormError';
import { useTenant, type MeTenant } from '@/features/identity';
import { useCreateToken, type APITokenCreated } from '../api/tokens';

/** Tenants where the user may create a token: token:manage there and roles held there to give it. */
export function tokenTenants(tenants: readonly MeTenant[]): MeTenant[] {
  return tenants.filter((t) => t.actions.includes('token:manage') && t.roles.length > 0);
}

interface CreateTokenModalProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (created: APITokenCreated) => void;
}

export function CreateTokenModal({ opened, onClose, onCreated }: CreateTokenModalProps) {
  const { tenants, tenant: selected } = useTenant();
  const eligible = tokenTenants(tenants);
  const initialTenant = (eligible.find((t) => t.id === selected.id) ?? eligible[0])?.id ?? null;
  const [tenantId, setTenantId] = useState<string | null>(initialTenant);
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [days, setDays] = useState<number | string>(90);
  const create = useCreateToken();
  const close = () => {
    setTenantId(initialTenant);
    setName('');
    setRoles([]);
    setDays(90);
    create.reset();
    onClose();
  };
  const tenant = eligible.find((t) => t.id === tenantId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { tenant_id: tenantId ?? '', name: name.trim(), roles, expires_in_days: typeof days === 'number' ? days : Number(days) || 0 },
      {
        onSuccess: (created) => {
          close();
          onCreated(created);
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title="Create an API token" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Select
            label="Tenant"
            description="The token acts in this tenant only."
            data={eligible.map((t) => ({ value: t.id, label: t.name }))}
            value={tenantId}
            onChange={(v) => {
              setTenantId(v);
              setRoles([]);
            }}
            allowDeselect={false}
            error={fieldError(create.error, 'tenant_id')}
            comboboxProps={{ withinPortal: true }}
          />
          <TextInput
            label="Name"
            description="Say what uses it, e.g. “nightly settlement export”."
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(create.error, 'name')}
            data-autofocus
            required
          />
          <MultiSelect
            label="Roles"
            description="Some or all of your roles in this tenant."
            placeholder={roles.length ? undefined : 'Choose roles'}
            data={tenant?.roles ?? []}
            value={roles}
            onChange={setRoles}
            error={fieldError(create.error, 'roles')}
            comboboxProps={{ withinPortal: true }}
            required
          />
          <NumberInput
            label="Expires after (days)"
            min={1}
            max={366}
            value={days}
            onChange={setDays}
            error={fieldError(create.error, 'expires_in_days')}
            allowDecimal={false}
          />
          {eligible.length === 0 && (
            <Text size="sm" c="dimmed">
              You hold no role you could give a token in any tenant.
            </Text>
          )}
          <FormError error={create.error} fields={['tenant_id', 'name', 'roles', 'expires_in_days']} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!tenant}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
