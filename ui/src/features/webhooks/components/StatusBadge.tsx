import { Badge } from '@mantine/core';
import { STATUS_COLOR, STATUS_LABEL, type StatusFilter } from '../api/webhooks';

/** An event's status in its colour (the same colours in the inbox, the detail and Settings). */
export function StatusBadge({ status, size = 'sm' }: { status: StatusFilter; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" size={size} tt="none" data-status={status} style={{ flexShrink: 0, overflow: 'visible' }}>
      {STATUS_LABEL[status] ?? status}
    </Badge>
  );
}
