import { Button, Group, Modal, MultiSelect, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { z } from 'zod';
import { FormError } from '@/components/FormError';
import { useTenant, type MeTenant } from '@/features/identity';
import { applyServerErrors, useSchemaForm } from '@/lib/form';
import { useCreateToken, type APITokenCreated } from '../api/tokens';

/** Tenants where the user may create a token: token:manage there and roles held there to give it. */
export function tokenTenants(tenants: readonly MeTenant[]): MeTenant[] {
  return tenants.filter((t) => t.actions.includes('token:manage') && t.roles.length > 0);
}

/** The longest lifetime the server allows, in days. */
export const MAX_TOKEN_DAYS = 366;

export const tokenSchema = z.object({
  tenant_id: z.string().min(1, 'Choose the tenant the token acts in.'),
  name: z.string().trim().min(1, 'Give the token a name.').max(100, 'At most 100 characters.'),
  roles: z.array(z.string()).min(1, 'Choose at least one role.'),
  expires_in_days: z
    .number({ error: `Enter a number of days from 1 to ${MAX_TOKEN_DAYS}.` })
    .int('Whole days only.')
    .min(1, 'At least 1 day.')
    .max(MAX_TOKEN_DAYS, `At most ${MAX_TOKEN_DAYS} days.`),
});

const FIELDS = ['tenant_id', 'name', 'roles', 'expires_in_days'] as const;

interface CreateTokenModalProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (created: APITokenCreated) => void;
}

export function CreateTokenModal({ opened, onClose, onCreated }: CreateTokenModalProps) {
  const { tenants, tenant: selected } = useTenant();
  const eligible = tokenTenants(tenants);
  const initialTenant = (eligible.find((t) => t.id === selected.id) ?? eligible[0])?.id ?? '';
  const defaults = { tenant_id: initialTenant, name: '', roles: [] as string[], expires_in_days: 90 as number | string };
  const form = useSchemaForm(tokenSchema, defaults);
  const create = useCreateToken();
  const close = () => {
    form.setInitialValues(defaults);
    form.reset();
    create.reset();
    onClose();
  };
  const tenant = eligible.find((t) => t.id === form.values.tenant_id);
  const submit = form.onSubmit((values) => {
    const v = tokenSchema.parse(values);
    create.mutate(v, {
      onSuccess: (created) => {
        close();
        onCreated(created);
      },
      onError: (e) => applyServerErrors(form, e, FIELDS),
    });
  });

  return (
    <Modal opened={opened} onClose={close} title="Create an API token" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Select
            label="Tenant"
            description="The token acts in this tenant only."
            data={eligible.map((t) => ({ value: t.id, label: t.name }))}
            {...form.getInputProps('tenant_id')}
            onChange={(v) => {
              form.setFieldValue('tenant_id', v ?? '');
              form.setFieldValue('roles', []);
            }}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          <TextInput
            label="Name"
            description="Say what uses it, e.g. “nightly settlement export”."
            {...form.getInputProps('name')}
            data-autofocus
            required
          />
          <MultiSelect
            label="Roles"
            description="Some or all of your roles in this tenant."
            placeholder={form.values.roles.length ? undefined : 'Choose roles'}
            data={tenant?.roles ?? []}
            {...form.getInputProps('roles')}
            comboboxProps={{ withinPortal: true }}
            required
          />
          <NumberInput
            label="Expires after (days)"
            description={`From 1 to ${MAX_TOKEN_DAYS} days.`}
            min={1}
            max={MAX_TOKEN_DAYS}
            // Never change what was typed: an out-of-range value is an error on the field.
            clampBehavior="none"
            allowDecimal={false}
            {...form.getInputProps('expires_in_days')}
          />
          {eligible.length === 0 && (
            <Text size="sm" c="dimmed">
              You hold no role you could give a token in any tenant.
            </Text>
          )}
          <FormError error={create.error} fields={FIELDS} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={eligible.length === 0}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
