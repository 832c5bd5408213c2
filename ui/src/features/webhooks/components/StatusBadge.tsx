import { Badge } from '@mantine/core';
import { STATUS_COLOR, STATUS_LABEL, type StatusFilter } from '../api/webhooks';

/** A badge in a table cell keeps its whole label (Mantine's label would otherwise shrink to an ellipsis). */
export const NO_TRUNCATION = { root: { flexShrink: 0 }, label: { overflow: 'visible', textOverflow: 'clip' } } as const;

/** An event's status in its colour (the same colours in the inbox, the detail and Settings). */
export function StatusBadge({ status, size = 'sm' }: { status: StatusFilter; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" size={size} tt="none" data-status={status} styles={NO_TRUNCATION}>
      {STATUS_LABEL[status] ?? status}
    </Badge>
  );
}
