import { Anchor, Group, List, Paper, Skeleton, Text, ThemeIcon, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { AlertIcon, CheckIcon } from '@/components/icons';
import { useTenant } from '@/features/identity';
import { api, type Schemas } from '@/lib/api';
import { visibleTabs } from '../tabs';

type Item = Schemas['PartnerReadinessItem'];

const readinessQuery = (tenantId: string) => ({
  queryKey: ['partners', 'readiness', tenantId] as const,
  queryFn: ({ signal }: { signal: AbortSignal }) => api.get('/tenants/{tenant}/partner/readiness', { path: { tenant: tenantId }, signal }),
});

/** Where each item is fixed: a tab of this page, the partner's users, or the operator's configuration (no link). */
function FixLink({ item, tenantId }: { item: Item; tenantId: string }) {
  const { can } = useTenant();
  if (item.ok || !item.fix) return null;
  if (item.fix === 'users') {
    if (!can('user:read')) return null;
    return (
      <Anchor component={Link} to={`/settings/users?tenant=${encodeURIComponent(tenantId)}`} size="sm">
        Users & roles
      </Anchor>
    );
  }
  if (item.fix === 'configuration') {
    return (
      <Text size="sm" c="dimmed">
        Set in Partner Desk's configuration (README: Klarna Portal deep link)
      </Text>
    );
  }
  // A tab the user cannot see is no fix for them: the detail says what is missing.
  const tab = visibleTabs(can).find((t) => t.value === item.fix);
  if (!tab) return null;
  return (
    <Anchor component={Link} to={{ search: `?tab=${item.fix}` }} size="sm">
      Open {tab.label}
    </Anchor>
  );
}

/**
 * The interoperability checklist: what Sign in with Klarna, On-site messaging and Express checkout need from the
 * acquirer's side, each item green or red with where it is fixed.
 */
export function ReadinessChecklist({ tenantId }: { tenantId: string }) {
  const q = useQuery(readinessQuery(tenantId));
  const items = q.data?.items ?? [];
  const ready = items.filter((i) => i.ok).length;
  return (
    <Paper withBorder radius="md" p="md" mb="md" component="section" aria-label="Boost readiness">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          Ready for Klarna's Boost features
        </Title>
        {q.data && (
          <Text size="sm" c={ready === items.length ? 'green' : 'dimmed'}>
            {ready} of {items.length} in place
          </Text>
        )}
      </Group>
      <Text size="xs" c="dimmed" mb="sm">
        Sign in with Klarna, On-site messaging and Express checkout need each of these from the acquirer's side.
      </Text>
      {q.isPending && <Skeleton h={80} />}
      {q.error && (
        <Text size="sm" c="red">
          Could not check: {q.error.message}
        </Text>
      )}
      <List spacing="xs" listStyleType="none" p={0}>
        {items.map((it) => (
          <List.Item
            key={it.key}
            aria-label={`${it.title}: ${it.ok ? 'in place' : 'missing'}`}
            icon={
              <ThemeIcon color={it.ok ? 'green' : 'red'} size={22} radius="xl" variant="light">
                {it.ok ? <CheckIcon size={14} /> : <AlertIcon size={14} />}
              </ThemeIcon>
            }
          >
            <Text size="sm" fw={600}>
              {it.title}
            </Text>
            <Group gap="xs" wrap="wrap">
              <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                {it.detail}
              </Text>
              <FixLink item={it} tenantId={tenantId} />
            </Group>
          </List.Item>
        ))}
      </List>
    </Paper>
  );
}
