import { Badge, Group, Tooltip } from '@mantine/core';
import { formatDateTime } from '@/lib/format';
import { STAGE_COLOR, STAGE_LABEL, stateColor, stateLabel, warningLabel, type OnboardingStage } from '../api/partners';


/** Klarna's account state or product status as a badge ("—" label when there is none). */
export function StateBadge({ value, none = 'Unknown', label }: { value: string; none?: string; label?: string }) {
  return (
    <Badge color={stateColor(value)} variant="light" tt="none" aria-label={label ? `${label}: ${value ? stateLabel(value) : none}` : undefined}>
      {value ? stateLabel(value) : none}
    </Badge>
  );
}

/** The onboarding stage; a stuck partner says so in orange beside it. */
export function StageBadge({ stage, stuck }: { stage: OnboardingStage; stuck?: boolean }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Badge color={STAGE_COLOR[stage]} variant={stage === 'failed' ? 'filled' : 'light'} tt="none">
        {STAGE_LABEL[stage]}
      </Badge>
      {stuck && stage !== 'stuck' && (
        <Badge color="orange" variant="filled" tt="none">
          Stuck
        </Badge>
      )}
    </Group>
  );
}

/** Unresolved warnings Klarna sent (webhook event types), in words, the type on hover. */
export function WarningBadges({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <Group gap={4}>
      {warnings.map((w) => (
        <Tooltip key={w} label={w}>
          <Badge color="orange" variant="outline" tt="none" data-warning={w}>
            {warningLabel(w)}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}

/** "Offboarded" when the partner's offboarding completed, its date on hover. */
export function OffboardedBadge({ at }: { at: string | null | undefined }) {
  if (!at) return null;
  return (
    <Tooltip label={`Offboarded ${formatDateTime(at)}`}>
      <Badge color="dark" variant="filled" tt="none">
        Offboarded
      </Badge>
    </Tooltip>
  );
}
