import { Anchor, Badge, Button, Code, Group, Modal, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode } from 'react';
import { z } from 'zod';
import { Link } from 'react-router';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { FormError } from '@/components/FormError';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { formatAge, formatDateTime } from '@/lib/format';
import { applyServerErrors, useSchemaForm } from '@/lib/form';
import { notify } from '@/lib/notify';
import {
  EVENT_STATUSES,
  setupQuery,
  statsQuery,
  testEventTypes,
  useRotateKey,
  useSendTestEvent,
  useSubscribe,
  type SigningKey,
  type WebhookStats,
  type WebhookSubscription,
} from '../api/webhooks';
import { NO_TRUNCATION, StatusBadge } from './StatusBadge';

/** The counters refresh themselves this often. */
export const STATS_REFRESH_MS = 10_000;

const SUBSCRIPTION_COLOR: Record<string, string> = { ENABLED: 'green', DISABLED: 'gray', MISSING_AT_KLARNA: 'red' };

function Card({ title, children, action, label }: { title: string; children: ReactNode; action?: ReactNode; label?: string }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={label ?? title}>
      <Group justify="space-between" mb="sm" wrap="nowrap" align="flex-start">
        <Title order={2} size="h4">
          {title}
        </Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}

function Counter({ label, value, children }: { label: ReactNode; value: ReactNode; children?: ReactNode }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed" component="div">
        {label}
      </Text>
      <Text fz="xl" fw={700}>
        {value}
      </Text>
      {children}
    </Paper>
  );
}

function Stats({ stats }: { stats: WebhookStats }) {
  const top = Object.entries(stats.by_type)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 6);
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 8 }} aria-label="Events by status">
        {EVENT_STATUSES.map((s) => (
          <Counter key={s} label={<StatusBadge status={s} />} value={<span data-testid={`count-${s}`}>{stats.by_status[s] ?? 0}</span>} />
        ))}
        <Counter label={<StatusBadge status="quarantined" />} value={<span data-testid="count-quarantined">{stats.quarantined}</span>} />
        <Counter label="Oldest open event" value={stats.oldest_open_at ? formatAge(stats.oldest_open_at) : 'none'}>
          <Text size="xs" c="dimmed">
            {stats.oldest_open_at ? `received ${formatDateTime(stats.oldest_open_at)}` : 'nothing waiting'}
          </Text>
        </Counter>
      </SimpleGrid>
      <div>
        <Text size="sm" fw={600} mb={4}>
          Top event types
        </Text>
        {top.length === 0 ? (
          <Text size="sm" c="dimmed">
            No events yet.
          </Text>
        ) : (
          <Table aria-label="Top event types" verticalSpacing={4}>
            <Table.Tbody>
              {top.map(([type, n]) => (
                <Table.Tr key={type}>
                  <Table.Td>
                    <Anchor component={Link} to={`/webhooks?type=${encodeURIComponent(type)}`} size="sm" ff="monospace">
                      {type}
                    </Anchor>
                  </Table.Td>
                  <Table.Td ta="right" w={100}>
                    {n}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </div>
    </Stack>
  );
}

const testEventSchema = z.object({ event_type: z.string().min(1, 'Choose an event type.') });
const TEST_EVENT_FIELDS = ['event_type'] as const;

function SendTestEvent({ sub }: { sub: WebhookSubscription }) {
  const [opened, { open, close }] = useDisclosure(false);
  const form = useSchemaForm(testEventSchema, { event_type: 'settlement.report.created' });
  const send = useSendTestEvent();
  const done = () => {
    send.reset();
    form.reset();
    close();
  };
  const submit = form.onSubmit(({ event_type }) =>
    send.mutate(
      { subscription: sub.id, eventType: event_type },
      {
        onSuccess: () => {
          done();
          notify({ color: 'green', title: 'Test event requested', message: `Klarna will deliver a ${event_type} event; look for it in the inbox.` });
        },
        onError: (e) => applyServerErrors(form, e, TEST_EVENT_FIELDS),
      },
    ),
  );
  return (
    <>
      <Button size="xs" variant="default" onClick={open} aria-label={`Send test event to ${sub.id}`}>
        Send test event
      </Button>
      <Modal opened={opened} onClose={done} title="Send a test event" centered>
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm">
              Klarna sends a sample event of this type to <Code>{sub.url}</Code>. It arrives like any other event and shows up in the inbox within seconds.
            </Text>
            <Select
              label="Event type"
              data={testEventTypes(sub)}
              {...form.getInputProps('event_type')}
              onChange={(v) => form.setFieldValue('event_type', v ?? '')}
              searchable
              allowDeselect={false}
            />
            <FormError error={send.error} fields={TEST_EVENT_FIELDS} />
            <Group justify="flex-end">
              <Button variant="default" onClick={done}>
                Cancel
              </Button>
              <Button type="submit" loading={send.isPending}>
                Send
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function Subscriptions({ subs, canManage }: { subs: WebhookSubscription[]; canManage: boolean }) {
  if (subs.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No subscription at Klarna: no events will arrive. {canManage ? 'Use “Subscribe this server”.' : 'Ask someone with webhook:manage to subscribe this server.'}
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table verticalSpacing="sm" aria-label="Webhook subscriptions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Subscription</Table.Th>
            <Table.Th>Event types</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Signing key</Table.Th>
            <Table.Th>Status</Table.Th>
            {canManage && <Table.Th aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {subs.map((s) => (
            <Table.Tr key={s.id} data-subscription={s.id}>
              <Table.Td maw={340}>
                <Text size="xs" c="dimmed">
                  Id
                </Text>
                <Code style={{ wordBreak: 'break-all' }}>{s.id}</Code>
                <Text size="xs" c="dimmed" mt={4}>
                  Delivers to
                </Text>
                <Text size="sm" style={{ wordBreak: 'break-all' }}>
                  {s.url}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {s.event_types.map((t) => (
                    <Badge key={t} variant="outline" tt="none" size="sm" styles={NO_TRUNCATION}>
                      {t}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{s.event_version}</Table.Td>
              <Table.Td maw={260}>
                <Code style={{ wordBreak: 'break-all' }}>{s.signing_key_id}</Code>
              </Table.Td>
              <Table.Td>
                <Badge color={SUBSCRIPTION_COLOR[s.status] ?? 'gray'} variant="light" styles={NO_TRUNCATION}>
                  {s.status}
                </Badge>
              </Table.Td>
              {canManage && (
                <Table.Td>
                  <SendTestEvent sub={s} />
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function SigningKeys({ keys }: { keys: SigningKey[] }) {
  if (keys.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No signing key yet; subscribing creates one.
      </Text>
    );
  return (
    <Table verticalSpacing="xs" aria-label="Signing keys">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Id</Table.Th>
          <Table.Th>Source</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Accepted</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {keys.map((k) => (
          <Table.Tr key={k.id}>
            <Table.Td>
              <Code style={{ wordBreak: 'break-all' }}>{k.id}</Code>
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{k.source === 'config' ? 'configuration' : 'Klarna API'}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(k.created_at)}</Table.Td>
            <Table.Td>
              {k.accept_until ? (
                <Badge color="yellow" variant="light" tt="none" styles={NO_TRUNCATION}>
                  rotated out · accepted until {formatDateTime(k.accept_until)}
                </Badge>
              ) : (
                <Badge color="green" variant="light" tt="none" styles={NO_TRUNCATION}>
                  current
                </Badge>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Settings → Webhooks: where Klarna delivers, subscriptions, signing keys, handled types and counters. */
export function WebhookSettingsPage() {
  const { canAnywhere } = useTenant();
  const canManage = canAnywhere('webhook:manage');
  const setup = useQuery(setupQuery);
  const stats = useQuery({ ...statsQuery, refetchInterval: STATS_REFRESH_MS });
  const subscribe = useSubscribe();
  const rotate = useRotateKey();
  const [rotateOpen, rotateDialog] = useDisclosure(false);

  const actions = canManage && setup.data && (
    <Group>
      <Button
        variant="default"
        loading={subscribe.isPending}
        disabled={!setup.data.klarna_configured}
        onClick={() =>
          subscribe.mutate(undefined, {
            onSuccess: (s) => notify({ color: 'green', title: 'Subscribed', message: `Klarna delivers to ${s.url} (subscription ${s.id}).` }),
            onError: (e) => notify({ color: 'red', title: 'Not subscribed', message: e.message }),
          })
        }
      >
        Subscribe this server
      </Button>
      <Button color="red" variant="light" loading={rotate.isPending} disabled={!setup.data.klarna_configured} onClick={rotateDialog.open}>
        Rotate signing key
      </Button>
      <ConfirmDialog
        opened={rotateOpen}
        onClose={rotateDialog.close}
        title="Rotate the signing key?"
        confirmLabel="Rotate key"
        message="A new signing key is created at Klarna and every subscription switches to it. The old key stays accepted for the grace period, so deliveries already signed with it still verify; after that, they are quarantined."
        onConfirm={() =>
          rotate.mutate(undefined, {
            onSuccess: (r) => notify({ color: 'green', title: 'Signing key rotated', message: `New key ${r.signing_key_id}; the old one stays accepted for the grace period.` }),
            onError: (e) => notify({ color: 'red', title: 'Not rotated', message: e.message }),
          })
        }
      />
    </Group>
  );

  return (
    <>
      <Anchor component={Link} to="/settings" size="sm">
        ← Settings
      </Anchor>
      <Group justify="space-between" align="flex-start" mt="xs">
        <PageHeader title="Webhook settings" description="How Klarna reaches Partner Desk, and what arrived." />
        {actions}
      </Group>
      <Stack gap="lg">
        {setup.error ? (
          <ErrorPanel error={setup.error} onRetry={() => void setup.refetch()} />
        ) : !setup.data ? (
          <PageLoader label="Loading the webhook setup" />
        ) : (
          <>
            <Card title="Receiver">
              <Stack gap="xs">
                <Group gap="xs">
                  <Text size="sm">Klarna delivers to</Text>
                  <Code data-testid="receiver-url">{setup.data.receiver_url || 'no public URL configured'}</Code>
                </Group>
                <Group gap="xs">
                  <Text size="sm">Klarna API:</Text>
                  {setup.data.klarna_configured ? (
                    <Badge color="green" variant="light" tt="none">
                      configured
                    </Badge>
                  ) : (
                    <Badge color="gray" variant="light" tt="none">
                      not configured
                    </Badge>
                  )}
                  {!setup.data.klarna_configured && (
                    <Text size="xs" c="dimmed">
                      Without Klarna credentials subscriptions cannot be created or tested here.
                    </Text>
                  )}
                </Group>
              </Stack>
            </Card>
            <Card title="Subscriptions">
              <Subscriptions subs={setup.data.subscriptions} canManage={canManage} />
            </Card>
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <Card title="Signing keys">
                <SigningKeys keys={setup.data.signing_keys} />
              </Card>
              <Card title="Handled event types">
                <Group gap={6}>
                  {setup.data.handled_event_types.map((t) => (
                    <Badge key={t} variant="light" color="gray" tt="none">
                      {t}
                    </Badge>
                  ))}
                </Group>
                <Text size="xs" c="dimmed" mt="sm">
                  Other types are stored for reference and shown as “no handler” in the inbox: nothing was done with them.
                </Text>
              </Card>
            </SimpleGrid>
          </>
        )}
        <Card
          title="Counters"
          action={
            <Anchor component={Link} to="/webhooks" size="sm">
              Open the inbox
            </Anchor>
          }
        >
          {stats.error ? <ErrorPanel error={stats.error} onRetry={() => void stats.refetch()} /> : !stats.data ? <PageLoader label="Loading counters" /> : <Stats stats={stats.data} />}
        </Card>
      </Stack>
    </>
  );
}
