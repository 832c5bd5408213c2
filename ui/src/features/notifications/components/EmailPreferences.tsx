import { Button, Checkbox, Group, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { ErrorPanel } from '@/components/ErrorPanel';
import { FormError } from '@/components/FormError';
import { serverFieldErrors, useSchemaForm } from '@/lib/form';
import { notify } from '@/lib/notify';
import { KIND_LABEL, preferencesQuery, useSavePreferences, type NotificationPreferences } from '../api/notifications';

const schema = z.object({ email_kinds: z.array(z.string()), digest: z.boolean() });
const FIELDS = ['email_kinds', 'digest'] as const;

function Form({ saved, kinds }: { saved: NotificationPreferences; kinds: readonly string[] }) {
  const form = useSchemaForm<{ email_kinds: string[]; digest: boolean }>(schema, { email_kinds: saved.email_kinds, digest: saved.digest });
  const save = useSavePreferences();
  const submit = form.onSubmit((values) =>
    save.mutate(values, {
      onSuccess: () => notify({ color: 'green', title: 'Saved', message: 'Your e-mail choices are saved.' }),
      onError: (e) => form.setErrors(serverFieldErrors(e, FIELDS)),
    }),
  );
  return (
    <form onSubmit={submit} aria-label="E-mail notifications">
      <Stack gap="sm">
        <Checkbox.Group label="Also send by e-mail" {...form.getInputProps('email_kinds')}>
          <Stack gap={6} mt="xs">
            {kinds.map((k) => (
              <Checkbox key={k} value={k} label={KIND_LABEL[k] ?? k} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Switch label="One e-mail a day with all of them (a digest)" {...form.getInputProps('digest', { type: 'checkbox' })} />
        <FormError error={save.error} fields={FIELDS} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save e-mail choices
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Which notices also go by e-mail (each one, or a daily digest): the signed-in user's own choice. */
export function EmailPreferences() {
  const prefs = useQuery(preferencesQuery);
  return (
    <Paper withBorder p="md" radius="md" id="notifications">
      <Title order={2} size="h4" mb={4}>
        Notifications by e-mail
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Every notice lands in the bell. Choose the ones that should also reach your inbox.
      </Text>
      {prefs.error ? <ErrorPanel error={prefs.error} onRetry={() => void prefs.refetch()} /> : prefs.data ? <Form saved={prefs.data} kinds={prefs.data.kinds ?? []} /> : null}
    </Paper>
  );
}
