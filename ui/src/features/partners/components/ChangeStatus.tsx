import { Badge, Button, Group, List, Stack, Text, Tooltip } from '@mantine/core';
import { useTenant } from '@/features/identity';
import { formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import { useRetryChange, type PartnerChange } from '../api/changes';

/** Where a change pushed to Klarna stands: pending (with its retries), applied, or failed with Klarna's answer. */
export function ChangeStatusBadge({ change }: { change: PartnerChange }) {
  if (change.status === 'applied') {
    return (
      <Tooltip label={`Klarna applied it ${change.applied_at ? formatDateTime(change.applied_at) : ''}`} withArrow>
        <Badge color="green" variant="light">
          Applied
        </Badge>
      </Tooltip>
    );
  }
  if (change.status === 'pending') {
    const waiting = change.error ? `Klarna did not take it yet (${change.error}); trying again${change.next_attempt_at ? ` at ${formatDateTime(change.next_attempt_at)}` : ''}.` : 'Being sent to Klarna.';
    return (
      <Tooltip label={waiting} withArrow multiline w={320}>
        <Badge color={change.error ? 'orange' : 'blue'} variant="light">
          Pending
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Tooltip label={<ChangeError change={change} />} withArrow multiline w={360}>
      <Badge color="red" variant="light">
        Failed
      </Badge>
    </Tooltip>
  );
}

/** Klarna's answer to a failed change: its message and each field it named. */
export function ChangeError({ change }: { change: PartnerChange }) {
  return (
    <Stack gap={2}>
      <Text size="sm">{change.error || 'Klarna refused the change.'}</Text>
      {change.field_errors.length > 0 && (
        <List size="sm">
          {change.field_errors.map((f) => (
            <List.Item key={f.field + f.message}>
              <Text span ff="monospace" size="sm">
                {f.field}
              </Text>
              : {f.message}
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

/** The status of a resource's latest change, with "Send again" on a failed one for those who may (partner:manage). */
export function ChangeStatus({ tenantId, change }: { tenantId: string; change: PartnerChange | undefined }) {
  const { can } = useTenant();
  const retry = useRetryChange(tenantId);
  if (!change) return null;
  return (
    <Group gap="xs" wrap="nowrap">
      <ChangeStatusBadge change={change} />
      {change.status === 'failed' && can('partner:manage') && (
        <Button
          size="compact-xs"
          variant="subtle"
          loading={retry.isPending}
          onClick={() => retry.mutate(change, { onError: (e) => notify({ color: 'red', title: 'Could not send the change again', message: e.message }) })}
        >
          Send again
        </Button>
      )}
    </Group>
  );
}
