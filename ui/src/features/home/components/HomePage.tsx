import { Anchor, Badge, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { DataTable, type DataColumn } from '@/components/DataTable';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';
import { partnerQuery } from '@/features/partners';
import { OpenPortalButton } from '@/features/portal';
import { formatDate, formatDateTime, formatMoney } from '@/lib/format';
import { usePhone } from '@/lib/phone';
import { GROUP_LABEL, homeQuery, type HomePage as Home, type HomeTile } from '../api/home';

type Payout = Home['latest_payouts'][number];
type Expected = Home['expected_payouts'][number];
type TopPartner = Home['top_partners'][number];

/** One count that opens the list behind it; red when it needs someone today. */
function Tile({ tile }: { tile: HomeTile }) {
  const hot = tile.urgent && tile.count > 0;
  const phone = usePhone();
  return (
    <Card
      component={Link}
      to={tile.link}
      withBorder
      padding={phone ? 'sm' : 'md'}
      radius="md"
      data-tile={tile.key}
      aria-label={`${tile.label}: ${tile.count}`}
      style={{ borderColor: hot ? 'var(--mantine-color-red-5)' : undefined }}
    >
      <Text size="sm" fw={500}>
        {tile.label}
      </Text>
      <Text fz={phone ? 24 : 32} fw={700} lh={1.2} c={hot ? 'red' : tile.count > 0 ? undefined : 'dimmed'} data-count>
        {tile.count.toLocaleString()}
      </Text>
      <Text size="xs" c="dimmed">
        {tile.hint}
      </Text>
    </Card>
  );
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

const payoutColumns = (acquirer: boolean): DataColumn<Payout>[] => [
  { id: 'date', header: 'Date', nowrap: true, cell: (p) => formatDate(p.payout_date) },
  ...(acquirer ? [{ id: 'partner', header: 'Partner', cell: (p: Payout) => p.partner_name }] : []),
  { id: 'amount', header: 'Net', align: 'right', nowrap: true, cell: (p) => formatMoney(p.settlement_amount, p.currency) },
  {
    id: 'reconciled',
    header: 'Reconciled',
    cell: (p) =>
      p.reconciled === false ? (
        <Badge color="red" variant="light">
          Does not add up
        </Badge>
      ) : p.reconciled ? (
        <Badge color="green" variant="light">
          Yes
        </Badge>
      ) : (
        <Text size="sm" c="dimmed">
          Lines pending
        </Text>
      ),
  },
];

const expectedColumns = (acquirer: boolean): DataColumn<Expected>[] => [
  {
    id: 'expected',
    header: 'Expected',
    nowrap: true,
    cell: (e) => (
      <Group gap={4} wrap="nowrap">
        {formatDate(e.expected_at)}
        {e.late && (
          <Badge color="orange" variant="light" size="sm">
            Late
          </Badge>
        )}
      </Group>
    ),
  },
  ...(acquirer ? [{ id: 'partner', header: 'Partner', cell: (e: Expected) => e.partner_name }] : []),
  { id: 'every', header: 'Every', nowrap: true, cell: (e) => `${Math.round(e.every_days)} d` },
  { id: 'last', header: 'Last payout', align: 'right', nowrap: true, cell: (e) => formatMoney(e.last_amount, e.currency) },
];

const topColumns: DataColumn<TopPartner>[] = [
  { id: 'name', header: 'Partner', cell: (p) => p.name },
  { id: 'count', header: 'Open disputes', align: 'right', cell: (p) => p.count.toLocaleString() },
];

/**
 * Home: what needs the user today in the selected tenant, as tiles that each open the list they count,
 * grouped by the work the user's roles do; beside them the latest and next payouts, the partners with
 * the most open disputes, and Klarna's rate limits when they bite.
 */
export function HomePage() {
  const { tenant } = useTenant();
  const phone = usePhone();
  const navigate = useNavigate();
  const acquirer = tenant.kind !== 'partner';
  const home = useQuery(homeQuery(tenant.id));
  const partner = useQuery({ ...partnerQuery(tenant.id), enabled: !!home.data?.portal });
  const data = home.data;
  const header = (
    <PageHeader
      title="Home"
      description={acquirer ? `What needs you today across ${tenant.name}’s partners.` : `What needs you today at ${tenant.name}.`}
      actions={partner.data && <OpenPortalButton partner={partner.data.summary} variant="filled" />}
    />
  );
  if (home.error) {
    return (
      <>
        {header}
        <ErrorPanel error={home.error} onRetry={() => void home.refetch()} />
      </>
    );
  }
  if (!data) {
    return (
      <>
        {header}
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} aria-busy="true" aria-label="Loading your home">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} h={110} radius="md" />
          ))}
        </SimpleGrid>
      </>
    );
  }
  const ratePressed = data.rate_limits.filter((r) => r.rate_limited > 0 || r.paused_until);
  return (
    <>
      {header}
      <Stack gap="xl">
        {data.groups.length === 0 && <Text c="dimmed">Nothing here needs you: your roles in {tenant.name} do not work on partners, disputes or payouts.</Text>}
        {data.groups.map((g) => (
          <section key={g} aria-labelledby={`home-${g}`}>
            <Title order={2} size="h4" id={`home-${g}`} mb="sm">
              {GROUP_LABEL[g]}
            </Title>
            <SimpleGrid cols={{ base: 2, md: 4 }} spacing={phone ? 'xs' : 'md'} mb="md">
              {data.tiles
                .filter((t) => t.group === g)
                .map((t) => (
                  <Tile key={t.key} tile={t} />
                ))}
            </SimpleGrid>
            {g === 'partners' && ratePressed.length > 0 && (
              <Panel title="Klarna rate limits in the last hour">
                {ratePressed.map((r) => (
                  <Text size="sm" key={r.category}>
                    {r.category}: {r.rate_limited} × 429, waited {Math.round(r.waited_seconds)} s{r.paused_until ? `, paused until ${formatDateTime(r.paused_until)}` : ''}
                  </Text>
                ))}
              </Panel>
            )}
            {g === 'disputes' && acquirer && (
              <Panel title="Partners with the most open disputes">
                <DataTable
                  id="home-top-partners"
                  label="Partners with the most open disputes"
                  columns={topColumns}
                  rows={data.top_partners}
                  rowKey={(p) => p.tenant_id}
                  columnChoice={false}
                  minWidth={0}
                  onRowClick={(p) => navigate(`/disputes?view=needs_action&partner=${p.tenant_id}`)}
                  rowLabel={(p) => `${p.name}: ${p.count} open disputes`}
                  empty={{ title: 'No open disputes', text: 'No partner has a dispute waiting for an answer.' }}
                />
              </Panel>
            )}
            {g === 'settlements' && (
              <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
                <Panel title="Net payouts: this month so far, and last month">
                  {data.net_payouts.length === 0 ? (
                    <Text size="sm" c="dimmed">
                      No payouts in the last two months.
                    </Text>
                  ) : (
                    data.net_payouts.map((n) => (
                      <Group key={n.currency} justify="space-between" data-net={n.currency}>
                        <Text size="sm" fw={500}>
                          {n.currency}
                        </Text>
                        <Text size="sm">
                          {formatMoney(n.this_month, n.currency)} in {n.this_count} · last month {formatMoney(n.last_month, n.currency)} in {n.last_count}
                        </Text>
                      </Group>
                    ))
                  )}
                </Panel>
                <Panel title="Next expected payouts">
                  <DataTable
                    id="home-expected"
                    label="Next expected payouts"
                    columns={expectedColumns(acquirer)}
                    rows={data.expected_payouts}
                    rowKey={(e) => `${e.tenant_id}/${e.currency}`}
                    columnChoice={false}
                    minWidth={0}
                    onRowClick={(e) => navigate(`/settlements?partner=${e.tenant_id}&currency=${e.currency}`)}
                    rowLabel={(e) => `${e.partner_name} ${e.currency} expected ${formatDate(e.expected_at)}`}
                    empty={{ title: 'None expected', text: 'A partner’s next payout is expected once it has had two.' }}
                  />
                </Panel>
                <Panel title="Latest payouts">
                  <DataTable
                    id="home-latest-payouts"
                    label="Latest payouts"
                    columns={payoutColumns(acquirer)}
                    rows={data.latest_payouts}
                    rowKey={(p) => p.payment_reference}
                    columnChoice={false}
                    minWidth={0}
                    onRowClick={(p) => navigate(`/settlements/payouts/${encodeURIComponent(p.payment_reference)}`)}
                    rowLabel={(p) => `Payout ${p.payment_reference}`}
                    empty={{ title: 'No payouts yet', text: 'Payouts appear here as Klarna reports them.' }}
                  />
                  <Anchor component={Link} to="/settlements" size="sm">
                    All payouts
                  </Anchor>
                </Panel>
              </SimpleGrid>
            )}
          </section>
        ))}
      </Stack>
    </>
  );
}
