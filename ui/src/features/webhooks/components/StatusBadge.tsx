import { Badge } from '@mantine/core';
import { STATUS_COLOR, STATUS_LABEL, type EventBadge } from '../api/webhooks';

/** A badge in a table cell keeps its whole label (Mantine's label would otherwise shrink to an ellipsis). */
export const NO_TRUNCATION = { root: { flexShrink: 0 }, label: { overflow: 'visible', textOverflow: 'clip' } } as const;

/**
 * An event's status in its colour (the same colours in the inbox, the detail and Settings).
 * Pass `eventBadge(ev)` for an event, so a processed event without a handler reads "no handler".
 */
export function StatusBadge({ status, size = 'sm' }: { status: EventBadge; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant={status === 'no_handler' ? 'outline' : 'light'} size={size} tt="none" data-status={status} styles={NO_TRUNCATION}>
      {STATUS_LABEL[status] ?? status}
    </Badge>
  );
}
