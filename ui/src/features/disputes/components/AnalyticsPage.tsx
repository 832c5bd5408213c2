import { Anchor, MultiSelect, SimpleGrid, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { dateInput } from '@/components/DateInput';
import { Chart } from '@/components/Chart';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { partnerChoicesQuery } from '@/features/partners';
import { ApiError } from '@/lib/api';
import { formatDate, formatMoney } from '@/lib/format';
import { useUrlState } from '@/lib/urlState';
import { ANALYTICS_PARAMS, analyticsCsvUrl, analyticsQuery, monthsBetween, ranked, type AnalyticsFilters, type DisputeAnalytics, type WinRate } from '../api/analytics';
import { joinList, listOf, reasonLabel } from '../api/disputes';

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
const monthName = new Intl.DateTimeFormat(undefined, { month: 'short', year: '2-digit', timeZone: 'UTC' });
const weekName = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

const monthLabel = (m: string) => {
  const d = new Date(`${m}-01T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? m : monthName.format(d);
};
const weekLabel = (w: string) => {
  const d = new Date(`${w}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? w : weekName.format(d);
};

/** Hours as people read a response time: "40 min", "5.5 h", "3.2 d". */
export function formatHours(h: number): string {
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${Number(h.toFixed(1))} h`;
  return `${Number((h / 24).toFixed(1))} d`;
}

/** A win rate with what it counts: "67 % (2 of 3)". */
function winRateText(rows: readonly WinRate[]) {
  return (v: number, at: { index: number }) => {
    const r = rows[at.index];
    return r ? `${percent.format(v)} (${r.won} of ${r.won + r.lost})` : percent.format(v);
  };
}

/** A win-rate ranking (reasons, partners): a row each, highest first. */
function WinRateRanking({ title, description, rows, label, csv }: { title: string; description: string; rows: readonly WinRate[]; label: (r: WinRate) => string; csv: string }) {
  const sorted = ranked(rows);
  return (
    <Chart
      title={title}
      description={description}
      kind="hbar"
      categories={sorted.map((r) => r.key)}
      categoryLabel={(k) => label(sorted.find((r) => r.key === k) ?? { key: k, label: k, won: 0, lost: 0, win_rate: null })}
      series={[{ key: 'win_rate', label: 'Win rate', values: sorted.map((r) => r.win_rate), color: 'teal' }]}
      format={winRateText(sorted)}
      tickFormat={(v) => percent.format(v)}
      domain={[0, 1]}
      csvHref={csv}
      empty="No dispute opened in this window has been decided yet."
    />
  );
}

function Charts({ data, filters, acquirer }: { data: DisputeAnalytics; filters: AnalyticsFilters; acquirer: boolean }) {
  const months = monthsBetween(data.from, data.to);
  const byMonth = new Map(data.win_rate_by_month.map((r) => [r.key, r]));
  const monthRows: WinRate[] = months.map((m) => byMonth.get(m) ?? { key: m, label: m, won: 0, lost: 0, win_rate: null });
  const response = new Map(data.response_time.map((r) => [r.month, r]));
  const amounts = data.amounts;
  const weeks = data.states_by_week;
  const csv = (chart: Parameters<typeof analyticsCsvUrl>[0]) => analyticsCsvUrl(chart, filters);

  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
      <WinRateRanking
        title="Win rate by reason"
        description="Closed disputes won, of those won or lost."
        rows={data.win_rate_by_reason}
        label={(r) => reasonLabel(r.key)}
        csv={csv('win_rate_by_reason')}
      />
      <WinRateRanking
        title="Win rate by partner"
        description={acquirer ? 'Closed disputes won, of those won or lost, per partner.' : 'Closed disputes won, of those won or lost.'}
        rows={data.win_rate_by_partner}
        label={(r) => r.label}
        csv={csv('win_rate_by_partner')}
      />
      <Chart
        title="Win rate by month"
        description="By the month the dispute closed."
        kind="bar"
        categories={months}
        categoryLabel={monthLabel}
        categoryAxisLabel="Month closed"
        series={[{ key: 'win_rate', label: 'Win rate', values: monthRows.map((r) => r.win_rate), color: 'teal' }]}
        format={winRateText(monthRows)}
        tickFormat={(v) => percent.format(v)}
        domain={[0, 1]}
        csvHref={csv('win_rate_by_month')}
        empty="No dispute opened in this window has been decided yet."
      />
      <Chart
        title="Amounts at stake and lost"
        description="Open disputes’ amounts, and closed lost ones’, per currency (each currency on its own scale)."
        kind="hbar"
        scalePerCategory
        categories={amounts.map((a) => a.currency)}
        categoryAxisLabel="Currency"
        series={[
          { key: 'at_stake', label: 'At stake', values: amounts.map((a) => a.at_stake), color: 'orange' },
          { key: 'lost', label: 'Lost', values: amounts.map((a) => a.lost), color: 'red.7' },
        ]}
        format={(v, at) => {
          const a = amounts[at.index];
          if (!a) return formatMoney(v, at.category);
          return at.series.key === 'lost' ? `${formatMoney(v, a.currency)} · ${a.lost_count} lost` : `${formatMoney(v, a.currency)} · ${a.open_count} open`;
        }}
        csvHref={csv('amounts')}
        empty="No disputes in this window."
      />
      <Chart
        title="Response time"
        description="From opening to the first answer (evidence sent or loss accepted), by month opened."
        kind="line"
        categories={months}
        categoryLabel={monthLabel}
        categoryAxisLabel="Month opened"
        series={[
          { key: 'median_hours', label: 'Median', values: months.map((m) => response.get(m)?.median_hours ?? null), color: 'blue' },
          { key: 'p90_hours', label: '90th percentile', values: months.map((m) => response.get(m)?.p90_hours ?? null), color: 'grape' },
        ]}
        format={(v) => formatHours(v)}
        csvHref={csv('response_time')}
        empty="No dispute opened in this window has been answered yet."
      />
      <Chart
        title="Disputes by week"
        description="Opened and closed each week (from Monday), and those still open at its end."
        kind="bar"
        categories={weeks.map((w) => w.week)}
        categoryLabel={weekLabel}
        categoryAxisLabel="Week"
        series={[
          { key: 'opened', label: 'Opened', values: weeks.map((w) => w.opened), color: 'blue' },
          { key: 'closed', label: 'Closed', values: weeks.map((w) => w.closed), color: 'teal' },
          { key: 'open_at_end', label: 'Open at the week’s end', values: weeks.map((w) => w.open_at_end), color: 'orange', type: 'line' },
        ]}
        format={(v) => String(v)}
        counts
        csvHref={csv('states_by_week')}
        empty="No disputes in this window."
      />
    </SimpleGrid>
  );
}


/** Win rates, amounts, response times and disputes over time, as charts with their CSV; the filters in the address. */
export function AnalyticsPage() {
  const { tenant } = useTenant();
  const acquirer = tenant.kind !== 'partner';
  const { values, set } = useUrlState(ANALYTICS_PARAMS);
  const analytics = useQuery(analyticsQuery(values));
  const partners = useQuery({ ...partnerChoicesQuery, enabled: acquirer });
  const filterError = analytics.error instanceof ApiError && analytics.error.fieldErrors.length > 0 ? analytics.error : undefined;
  const data = analytics.data;
  const nothing = data !== undefined && data.amounts.length === 0; // every dispute of the window counts in one currency's amounts

  return (
    <>
      <Anchor component={Link} to="/disputes" size="sm">
        ← Disputes
      </Anchor>
      <PageHeader
        title="Dispute analytics"
        description={
          data
            ? `Disputes opened ${formatDate(`${data.from}T00:00:00`)} – ${formatDate(`${data.to}T00:00:00`)}${acquirer ? '' : ` at ${tenant.name}`}.`
            : 'Win rates, amounts, response times and disputes over time.'
        }
      />
      <FilterBar<AnalyticsFilters> label="Analytics filters" value={values} onApply={set} cols={{ base: 1, sm: 2, lg: acquirer ? 4 : 3 }} note="Dates are UTC days; without them, the last 12 months.">
        {(f, setDraft) => (
          <>
            {dateInput('Opened from', f.from, (v) => setDraft('from', v), fieldError(filterError, 'from'))}
            {dateInput('Opened until', f.to, (v) => setDraft('to', v), fieldError(filterError, 'to'))}
            {acquirer && (
              <MultiSelect
                label="Partners"
                placeholder={f.partner ? undefined : 'Every partner'}
                data={partners.data ?? []}
                value={listOf(f.partner)}
                onChange={(v) => setDraft('partner', joinList(v))}
                clearable
                searchable
                error={fieldError(filterError, 'partner')}
              />
            )}
            <TextInput
              label="Currency"
              placeholder="Every currency, e.g. SEK"
              maxLength={3}
              value={f.currency ?? ''}
              onChange={(e) => setDraft('currency', e.currentTarget.value.toUpperCase().replace(/\s+/g, ''))}
              error={fieldError(filterError, 'currency')}
            />
          </>
        )}
      </FilterBar>

      {analytics.error && !filterError ? (
        <ErrorPanel error={analytics.error} title="The analytics could not be loaded" onRetry={() => void analytics.refetch()} />
      ) : filterError ? null : !data ? (
        <PageLoader label="Loading the dispute analytics" />
      ) : nothing ? (
        <EmptyState title="No disputes in this window" icon={<InboxIcon />}>
          No dispute was opened between these dates{values.partner || values.currency ? ' for these partners and currency' : ''}. Widen the window or clear the filters; the charts appear as soon as there are disputes.
        </EmptyState>
      ) : (
        <Charts data={data} filters={values} acquirer={acquirer} />
      )}
    </>
  );
}
