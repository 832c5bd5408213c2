import { Alert, Anchor, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { AlertIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatBytes, formatTimestamp } from '@/lib/format';
import { notify } from '@/lib/notify';
import { useDisclosure } from '@mantine/hooks';
import { eventBadge, eventQuery, STATUS_COLOR, useReplayEvent, type WebhookAttempt, type WebhookEventDetail } from '../api/webhooks';
import { StatusBadge } from './StatusBadge';
import { Fact } from '@/components/Fact';

/** While an event waits for (or is in) processing, the page looks again this often. */
export const DETAIL_POLL_MS = 1_000;

function Section({ title, children, label }: { title: string; children: ReactNode; label?: string }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={label ?? title}>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

const mono = (v: string | null | undefined) => (v ? <Code>{v}</Code> : '—');

function duration(a: WebhookAttempt): string {
  const ms = new Date(a.finished_at).getTime() - new Date(a.started_at).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function outcomeColor(outcome: string): string {
  return STATUS_COLOR[outcome as keyof typeof STATUS_COLOR] ?? 'gray';
}

function Attempts({ attempts }: { attempts: WebhookAttempt[] }) {
  if (attempts.length === 0) return <Text size="sm" c="dimmed">No processing attempt yet; the event is queued.</Text>;
  return (
    <Stack gap="md">
      <Table.ScrollContainer minWidth={700}>
        <Table verticalSpacing="xs" aria-label="Processing attempts" withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Attempt</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Finished</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>Error</Table.Th>
              <Table.Th>Worker</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {attempts.map((a) => (
              <Table.Tr key={a.attempt}>
                <Table.Td>{a.attempt}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(a.started_at)}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {formatTimestamp(a.finished_at)} <Text span size="xs" c="dimmed">({duration(a)})</Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={outcomeColor(a.outcome)} variant="light" size="sm" tt="none">
                    {a.outcome}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={a.error ? 'red' : 'dimmed'}>
                    {a.error || '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Code>{a.worker || '—'}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** The last error worth shouting about: the event's, else (after a replay cleared it) the latest failed attempt's. */
function lastError(ev: WebhookEventDetail): string | undefined {
  if (ev.last_error) return ev.last_error;
  if (ev.status !== 'failed' && ev.status !== 'dead_lettered') return undefined;
  return [...ev.attempts_log].reverse().find((a) => a.error)?.error;
}

function ReplayButton({ ev }: { ev: WebhookEventDetail }) {
  const [opened, { open, close }] = useDisclosure(false);
  const replay = useReplayEvent();
  return (
    <>
      <Button color="red" variant="light" onClick={open} loading={replay.isPending}>
        Replay
      </Button>
      <ConfirmDialog
        opened={opened}
        onClose={close}
        title="Replay this event?"
        confirmLabel="Replay event"
        message={
          <>
            The <Code>{ev.event_type}</Code> event is queued and processed again by its handler, as if it had just arrived. Earlier attempts stay listed; the replay is written to
            the audit trail.
          </>
        }
        onConfirm={() =>
          replay.mutate(ev, {
            onSuccess: () => notify({ color: 'green', title: 'Replay queued', message: `Event ${ev.id} will be processed again.` }),
            onError: (e) => notify({ color: 'red', title: 'Not replayed', message: e.message }),
          })
        }
      />
    </>
  );
}

/** One webhook event: payload, verification, related objects, every processing attempt, and Replay. */
export function WebhookEventPage() {
  const { id } = useParams();
  const { state } = useLocation() as { state: { back?: string } | null };
  const { canAnywhere } = useTenant();
  const pk = Number(id);
  const valid = Number.isSafeInteger(pk) && pk > 0;
  const event = useQuery({
    ...eventQuery(pk),
    enabled: valid,
    // Queued or being processed: watch it until it settles.
    refetchInterval: (q) => (q.state.data?.status === 'received' ? DETAIL_POLL_MS : false),
  });
  const back = (
    <Anchor component={Link} to={`/webhooks${state?.back ?? ''}`} size="sm">
      ← Back to the inbox
    </Anchor>
  );

  if (!valid || (event.error instanceof ApiError && event.error.status === 404)) {
    return (
      <>
        {back}
        <PageHeader title="Not found" />
        <EmptyState title="There is no such webhook event">It may concern a partner you cannot see, or the address is wrong.</EmptyState>
      </>
    );
  }
  if (event.error) return <ErrorPanel error={event.error} onRetry={() => void event.refetch()} />;
  if (!event.data) return <PageLoader label="Loading the webhook event" />;

  const ev = event.data;
  const error = lastError(ev);
  const rel = ev.related;
  return (
    <>
      {back}
      <Group justify="space-between" align="flex-start" mt="xs">
        <PageHeader
          title="Webhook event"
          description={
            <Group gap="xs" component="span">
              <Code fz="sm">{ev.event_type}</Code>
              <span data-testid="event-status">
                <StatusBadge status={eventBadge(ev)} size="md" />
              </span>
              {ev.tenant_name && <Text span>for {ev.tenant_name}</Text>}
            </Group>
          }
        />
        {canAnywhere('webhook:replay') && <ReplayButton ev={ev} />}
      </Group>

      <Stack gap="lg">
        {error && (
          <Alert color="red" variant="filled" icon={<AlertIcon />} title={ev.status === 'dead_lettered' ? 'Dead-lettered: processing gave up' : 'Processing failed'} role="alert">
            <Text size="sm" ff="monospace" style={{ wordBreak: 'break-word' }}>
              {error}
            </Text>
            {ev.status === 'dead_lettered' && (
              <Text size="xs" mt={4}>
                No more automatic retries. Fix the cause, then replay the event.
              </Text>
            )}
          </Alert>
        )}
        {ev.status === 'parked' && ev.note && (
          <Alert color="yellow" variant="light" title="Parked">
            {ev.note}
          </Alert>
        )}

        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <Section title="Event">
            <Stack gap="xs">
              <Fact label="Event id">{mono(ev.event_id)}</Fact>
              <Fact label="Type and version">
                <Code>{ev.event_type}</Code> {ev.event_version ? <Text span size="xs" c="dimmed">{ev.event_version}</Text> : null}
              </Fact>
              <Fact label="Occurred">{formatTimestamp(ev.occurred_at)}</Fact>
              <Fact label="Received">{formatTimestamp(ev.received_at)}</Fact>
              <Fact label="Processed">{formatTimestamp(ev.processed_at, 'not yet')}</Fact>
              <Fact label="Attempts · duplicates">
                <span data-testid="event-attempts">{ev.attempts}</span> · {ev.duplicates}
              </Fact>
              {ev.note && ev.status !== 'parked' && <Fact label="Note">{ev.note}</Fact>}
            </Stack>
          </Section>
          <Section title="Verification">
            <Stack gap="xs">
              <Fact label="Result">
                <Badge color="green" variant="light" tt="none">
                  {ev.verification.result}
                </Badge>
              </Fact>
              <Fact label="Signing key id">{mono(ev.verification.signing_key_id)}</Fact>
              <Fact label="Body size">{formatBytes(ev.raw_size)}</Fact>
              <Text size="xs" c="dimmed">
                The HMAC-SHA256 signature matched before the event was stored. Deliveries that do not verify are quarantined instead.
              </Text>
            </Stack>
          </Section>
          <Section title="Related">
            <Stack gap="xs">
              <Fact label="Partner">{rel.tenant_name || (rel.tenant_id ? rel.tenant_id : 'not linked to a partner')}</Fact>
              <Fact label="Klarna account id">{mono(rel.klarna_account_id)}</Fact>
              {rel.dispute_id && <Fact label="Dispute id">{mono(rel.dispute_id)}</Fact>}
              <Fact label="Correlation id">{mono(rel.correlation_id)}</Fact>
            </Stack>
          </Section>
        </SimpleGrid>

        <Section title="Processing attempts">
          <Attempts attempts={ev.attempts_log} />
        </Section>

        <Section title="Payload">
          <Code block aria-label="Payload (JSON)" style={{ maxHeight: 520, overflow: 'auto' }}>
            {JSON.stringify(ev.payload, null, 2)}
          </Code>
        </Section>
      </Stack>
    </>
  );
}
