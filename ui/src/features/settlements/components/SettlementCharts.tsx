import { Group, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Chart } from '@/components/Chart';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageLoader } from '@/components/PageLoader';
import { formatMoney } from '@/lib/format';
import { currenciesOf, settlementChartCsvUrl, settlementChartsQuery, weeksOf, type ChartWindow } from '../api/home';

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const weekName = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const weekLabel = (w: string) => weekName.format(new Date(`${w}T00:00:00Z`));

/**
 * The settlements home's charts for one currency at a time (amounts of different currencies do not
 * share an axis): net payouts per week, fees as a share of sales, returns and chargebacks.
 */
export function SettlementCharts({ window }: { window: ChartWindow }) {
  const charts = useQuery(settlementChartsQuery(window));
  const [picked, setPicked] = useState<string>();
  if (charts.error) return <ErrorPanel error={charts.error} title="The settlement charts could not be loaded" onRetry={() => void charts.refetch()} />;
  if (!charts.data) return <PageLoader label="Loading the settlement charts" />;

  const rows = charts.data.weeks;
  const currencies = currenciesOf(rows);
  const currency = picked && currencies.includes(picked) ? picked : (currencies[0] ?? '');
  const mine = rows.filter((r) => r.currency === currency);
  const weeks = weeksOf(mine);
  const at = new Map(mine.map((r) => [r.week, r]));
  const value = (f: (r: (typeof mine)[number]) => number | null) => weeks.map((w) => (at.has(w) ? f(at.get(w)!) : null));
  const money = (v: number) => formatMoney(v, currency);
  const csv = (chart: Parameters<typeof settlementChartCsvUrl>[0]) => settlementChartCsvUrl(chart, window, currency);
  const empty = 'No payouts in this window.';

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Text size="sm" c="dimmed">
          Payouts dated {charts.data.from} – {charts.data.to} (UTC), by week from Monday.
        </Text>
        {currencies.length > 1 && <SegmentedControl aria-label="Currency of the charts" data={currencies} value={currency} onChange={setPicked} />}
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 3 }} spacing="lg">
        <Chart
          title={`Net payouts per week${currency ? `, ${currency}` : ''}`}
          description="What Klarna settled each week, after every deduction; a negative week is carried forward as debt."
          kind="bar"
          categories={weeks}
          categoryLabel={weekLabel}
          categoryAxisLabel="Week"
          series={[{ key: 'net', label: 'Net settlement', values: value((r) => r.net), color: 'teal' }]}
          format={money}
          csvHref={currency ? csv('net_by_week') : undefined}
          empty={empty}
        />
        <Chart
          title="Fees as a share of sales"
          description="Klarna’s fees with their tax, divided by the week’s sales."
          kind="line"
          categories={weeks}
          categoryLabel={weekLabel}
          categoryAxisLabel="Week"
          series={[{ key: 'fee_share', label: 'Fees ÷ sales', values: value((r) => r.fee_share ?? null), color: 'grape' }]}
          format={(v) => percent.format(v)}
          csvHref={currency ? csv('fee_share') : undefined}
          empty={empty}
        />
        <Chart
          title="Returns and chargebacks"
          description="Refunded returns and disputes lost (reversals) each week."
          kind="bar"
          categories={weeks}
          categoryLabel={weekLabel}
          categoryAxisLabel="Week"
          series={[
            { key: 'returns', label: 'Returns', values: value((r) => r.returns), color: 'orange' },
            { key: 'chargebacks', label: 'Chargebacks', values: value((r) => r.chargebacks), color: 'red.7' },
          ]}
          format={money}
          csvHref={currency ? csv('returns_chargebacks') : undefined}
          empty={empty}
        />
      </SimpleGrid>
    </Stack>
  );
}
