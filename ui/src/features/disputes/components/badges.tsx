import { Badge, Tooltip } from '@mantine/core';
import { useEffect, useState } from 'react';
import { formatDateTime } from '@/lib/format';
import { enumLabel, timeLeft, urgency, type Urgency } from '../api/disputes';

/** The current time, updated every `everyMs` (a minute by default) so time left counts down on screen. */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

const URGENCY_COLOR: Record<Urgency, string> = { expired: 'red', day: 'red', soon: 'yellow', later: 'gray' };

/** Time left until the deadline: amber under 72 h, red under 24 h, "Expired" after; a dash without a deadline. */
export function TimeLeftBadge({ deadline, now }: { deadline: string | null | undefined; now: number }) {
  if (!deadline) return <span aria-label="No deadline">—</span>;
  const u = urgency(deadline, now);
  return (
    <Tooltip label={`Deadline ${formatDateTime(deadline)}`}>
      <Badge color={URGENCY_COLOR[u]} variant={u === 'expired' ? 'filled' : 'light'} tt="none" data-urgency={u} style={{ whiteSpace: 'nowrap' }}>
        {timeLeft(deadline, now)}
      </Badge>
    </Tooltip>
  );
}

const STATE_COLOR: Record<string, string> = { INITIATED: 'orange', REPRESENTMENT: 'blue', PRE_ARBITRATION: 'orange', ARBITRATION: 'blue', CLOSED: 'gray' };

export function DisputeStateBadge({ state }: { state: string }) {
  return (
    <Badge color={STATE_COLOR[state] ?? 'gray'} variant="light" tt="none" style={{ whiteSpace: 'nowrap' }}>
      {enumLabel(state)}
    </Badge>
  );
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  if (!outcome) return null;
  return (
    <Badge color={outcome === 'WON' ? 'green' : outcome === 'LOST' ? 'red' : 'gray'} variant="light" tt="none">
      {enumLabel(outcome)}
    </Badge>
  );
}
