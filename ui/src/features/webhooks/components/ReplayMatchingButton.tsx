import { Alert, Button, Code, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { tenantLookupQuery } from '@/features/identity';
import { formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import { newIdempotencyKey } from '@/lib/stepUp';
import { REPLAY_LIMIT, STATUS_LABEL, useReplayMatching, type ApiFilter, type InboxFilters } from '../api/webhooks';

interface Props {
  /** The filters as shown (partner by slug), for the description. */
  filters: InboxFilters;
  /** The same filters as the API takes them. */
  filter: ApiFilter;
  /** Events the inbox has loaded for these filters, and whether that is all of them. */
  loaded: number;
  complete: boolean;
}

/** How many events the replay will cover, as far as the inbox knows. */
export function replayScope(loaded: number, complete: boolean): string {
  const limit = REPLAY_LIMIT.toLocaleString('en-US').replace(',', ' ');
  if (complete) return loaded === 1 ? '1 event matches these filters.' : `${loaded} events match these filters.`;
  return `More than ${loaded} events match these filters (the inbox has loaded ${loaded}); all of them are replayed, up to ${limit}.`;
}

/** "Replay matching…": confirms with the filter and the count, then queues every matching event again. */
export function ReplayMatchingButton({ filters, filter, loaded, complete }: Props) {
  const found = useQuery({ ...tenantLookupQuery(filters.partner ?? ''), enabled: !!filters.partner });
  const [key, setKey] = useState<string | null>(null);
  const replay = useReplayMatching();
  const partner = filters.partner ? (found.data?.name ?? filters.partner) : undefined;
  const lines = [
    filters.type && (
      <>
        type <Code>{filters.type}</Code>
      </>
    ),
    partner && <>partner {partner}</>,
    filters.status && filters.status !== 'quarantined' && <>status {STATUS_LABEL[filters.status]}</>,
    filters.from && <>received from {formatDateTime(filters.from)}</>,
    filters.to && <>received until {formatDateTime(filters.to)}</>,
  ].filter(Boolean);

  const close = () => {
    setKey(null);
    replay.reset();
  };
  const confirm = () => {
    if (!key) return;
    replay.mutate(
      { filter, idempotencyKey: key },
      {
        onSuccess: (res) => {
          setKey(null);
          notify({
            color: 'green',
            title: 'Replay queued',
            message: res.replayed === 1 ? '1 event will be processed again.' : `${res.replayed} events will be processed again.`,
          });
        },
      },
    );
  };

  return (
    <>
      {/* One key per opened dialog: a double click or a retry after a lost answer replays once. */}
      <Button variant="default" color="red" onClick={() => setKey(newIdempotencyKey())} disabled={loaded === 0 && complete}>
        Replay matching…
      </Button>
      <Modal opened={key !== null} onClose={close} title="Replay matching events" centered size="lg">
        <Stack>
          <Text size="sm">Every event matching the inbox’s filters is queued for processing again:</Text>
          {lines.length ? (
            <List size="sm" spacing={2}>
              {lines.map((l, i) => (
                <List.Item key={i}>{l}</List.Item>
              ))}
            </List>
          ) : (
            <Alert color="yellow" variant="light" title="No filter set">
              This replays every event you may see, up to {REPLAY_LIMIT.toLocaleString('en-US').replace(',', ' ')}.
            </Alert>
          )}
          <Text size="sm" fw={600} data-testid="replay-scope">
            {replayScope(loaded, complete)}
          </Text>
          <Text size="xs" c="dimmed">
            The replay is written to the audit trail. Each event’s attempts are kept, so the detail page shows the earlier outcomes next to the new one.
          </Text>
          {replay.error && (
            <Alert color="red" variant="light" role="alert" title="Not replayed">
              {replay.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red" onClick={confirm} loading={replay.isPending}>
              Replay events
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
