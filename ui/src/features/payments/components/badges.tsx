import { Badge, Text, type MantineSize } from '@mantine/core';
import { stateLabel, INTEROP_LABEL, type PaymentSummary } from '../api/payments';

const STATE_COLOR: Record<string, string> = {
  SUBMITTED: 'blue',
  PREPARED: 'blue',
  IN_PROGRESS: 'blue',
  PENDING_CONFIRMATION: 'blue',
  AUTHORIZED: 'green',
  COMPLETED: 'green',
  DECLINED: 'red',
  EXPIRED: 'gray',
  CANCELED: 'gray',
};

/** The colour of a state (its badge, its bullet on the timeline); gray for one this build does not know. */
export const stateColor = (state: string) => STATE_COLOR[state] ?? 'gray';

/**
 * A payment request's state: authorized / completed green, declined red, expired / canceled gray, still
 * in flight blue; a state Klarna added after this build as reported, on a neutral outlined badge.
 */
export function PaymentStateBadge({ state, size }: { state: string; size?: MantineSize }) {
  const color = STATE_COLOR[state];
  if (!color) {
    return (
      <Badge color="gray" variant="outline" size={size} tt="none" data-state={state} data-known="false" style={{ whiteSpace: 'nowrap' }}>
        {state || 'No state yet'}
      </Badge>
    );
  }
  return (
    <Badge color={color} variant="light" size={size} tt="none" data-state={state} style={{ whiteSpace: 'nowrap' }}>
      {stateLabel(state)}
    </Badge>
  );
}

/** Whether the request carried the interoperability token: carried, missing (it should have), or a dash where none was expected. */
export function InteropBadge({ value }: { value: PaymentSummary['interoperability'] }) {
  if (value === 'carried')
    return (
      <Badge color="teal" variant="light" tt="none" data-interop={value}>
        {INTEROP_LABEL.carried}
      </Badge>
    );
  if (value === 'missing')
    return (
      <Badge color="orange" variant="light" tt="none" data-interop={value}>
        {INTEROP_LABEL.missing}
      </Badge>
    );
  return (
    <Text span size="sm" c="dimmed" aria-label="Not expected" data-interop={value}>
      —
    </Text>
  );
}
