import { Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { formatAge, formatDateTime } from '@/lib/format';
import { boardQuery, STAGE_COLOR, STAGE_LABEL, type OnboardingBoardItem, type OnboardingStage } from '../api/partners';
import { StateBadge, WarningBadges } from './badges';
import { PartnersTabs } from './PartnersTabs';

/** The board follows webhooks as they arrive; it re-reads itself this often. */
export const BOARD_REFRESH_MS = 10_000;

/** The path through onboarding, then the ways off it. */
const PATH: readonly OnboardingStage[] = ['draft', 'submitted', 'partially_operational', 'operational'];
const OFF_PATH: readonly OnboardingStage[] = ['stuck', 'failed', 'disabled'];
const ALARM: ReadonlySet<OnboardingStage> = new Set(['stuck', 'failed']);

/** Since when the item is where it is. */
function since(item: OnboardingBoardItem): string | null | undefined {
  switch (item.stage) {
    case 'submitted':
      return item.submitted_at ?? item.updated_at;
    case 'partially_operational':
    case 'stuck':
      return item.partially_operational_at ?? item.submitted_at ?? item.updated_at;
    case 'operational':
      return item.operational_at ?? item.updated_at;
    case 'draft':
      return item.created_at;
    default:
      return item.updated_at;
  }
}

function Card({ item, now }: { item: OnboardingBoardItem; now: number }) {
  const { can } = useTenant();
  const at = since(item);
  // A draft opens in the wizard (its route lives with the onboarding feature) for whoever may onboard.
  const draftLink = item.kind === 'draft' && item.draft_id && can('partner:onboard') ? `/onboarding/drafts/${item.draft_id}` : undefined;
  const alarm = item.stuck || item.stage === 'failed';
  const name = item.name || item.reference || 'Unnamed draft';
  return (
    <Paper
      withBorder
      radius="sm"
      p="sm"
      data-stage={item.stage}
      data-stuck={item.stuck || undefined}
      aria-label={`${name}, ${STAGE_LABEL[item.stage]}`}
      component="article"
      style={alarm ? { borderColor: `var(--mantine-color-${item.stage === 'failed' ? 'red' : 'orange'}-6)`, borderWidth: 2 } : undefined}
    >
      <Stack gap={4}>
        {item.kind === 'partner' && item.tenant_id ? (
          <Anchor component={Link} to={`/partners/${item.tenant_id}`} fw={600} size="sm">
            {name}
          </Anchor>
        ) : (
          <Text fw={600} size="sm">
            {draftLink ? (
              <Anchor component={Link} to={draftLink} inherit>
                {name}
              </Anchor>
            ) : (
              name
            )}{' '}
            <Text span size="xs" c="dimmed">
              (draft{item.draft_status && item.draft_status !== 'draft' ? `, ${item.draft_status}` : ''})
            </Text>
          </Text>
        )}
        <Text size="xs" c="dimmed" title={formatDateTime(at)}>
          {at ? `for ${formatAge(at, now)}, since ${formatDateTime(at)}` : ''}
          {item.attempts ? ` · ${item.attempts} attempt${item.attempts === 1 ? '' : 's'}` : ''}
        </Text>
        <Group gap={4}>
          {item.stuck && item.stage !== 'stuck' && (
            <Badge color="orange" variant="filled" tt="none">
              Stuck
            </Badge>
          )}
          {(item.product_status || item.kind === 'partner') && <StateBadge value={item.product_status} none="No payment product" label="Payment product" />}
        </Group>
        <WarningBadges warnings={item.warnings} />
        {item.last_error && (
          <Text size="xs" c="red" lineClamp={3} title={item.last_error}>
            {item.last_error}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Column({ stage, count, items, now }: { stage: OnboardingStage; count: number; items: OnboardingBoardItem[]; now: number }) {
  const alarm = ALARM.has(stage) && count > 0;
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      component="section"
      aria-label={STAGE_LABEL[stage]}
      bg={alarm ? `var(--mantine-color-${stage === 'failed' ? 'red' : 'orange'}-light)` : undefined}
    >
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5">
          {STAGE_LABEL[stage]}
        </Title>
        <Badge color={STAGE_COLOR[stage]} variant={alarm ? 'filled' : 'light'} aria-label={`${count} in ${STAGE_LABEL[stage]}`}>
          {count}
        </Badge>
      </Group>
      <Stack gap="xs">
        {items.length === 0 ? (
          <Text size="xs" c="dimmed">
            None.
          </Text>
        ) : (
          items.map((it) => <Card key={it.draft_id ?? it.tenant_id ?? it.reference} item={it} now={now} />)
        )}
        {count > items.length && (
          <Text size="xs" c="dimmed">
            and {count - items.length} more
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** Every partner's (and draft's) path through onboarding, driven by Klarna's webhooks; stuck and failed stand out. */
export function OnboardingBoardPage() {
  const { tenant } = useTenant();
  const board = useQuery({ ...boardQuery, refetchInterval: BOARD_REFRESH_MS });
  // Ages are counted from the moment the board was read (it is only shown once it has been).
  const now = board.dataUpdatedAt;
  const byStage = new Map(board.data?.stages.map((s) => [s.stage, s]) ?? []);
  const column = (stage: OnboardingStage) => {
    const s = byStage.get(stage);
    return <Column key={stage} stage={stage} count={s?.count ?? 0} items={s?.items ?? []} now={now} />;
  };
  const stuckMinutes = board.data ? Math.round(board.data.stuck_after_seconds / 60) : undefined;
  return (
    <>
      <PageHeader
        title="Onboarding"
        description={
          tenant.kind === 'partner'
            ? `Where ${tenant.name} stands in onboarding with Klarna.`
            : 'Every partner’s path through onboarding: draft → submitted → partially operational → operational.'
        }
      />
      <PartnersTabs />
      {board.error ? (
        <ErrorPanel error={board.error} onRetry={() => void board.refetch()} />
      ) : !board.data ? (
        <PageLoader label="Loading the onboarding board" />
      ) : (
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>{PATH.map(column)}</SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>{OFF_PATH.map(column)}</SimpleGrid>
          <Text size="xs" c="dimmed">
            A partner is stuck when it has been partially operational for more than {stuckMinutes === undefined || stuckMinutes < 1 ? `${board.data.stuck_after_seconds} s` : `${stuckMinutes} min`}
            ; Partner Desk re-reads such accounts from Klarna in case a webhook was lost. Updated {formatDateTime(new Date(now).toISOString())}.
          </Text>
        </Stack>
      )}
    </>
  );
}
