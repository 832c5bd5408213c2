import { Anchor, Badge, Group, List, MultiSelect, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { dateInput } from '@/components/DateInput';
import { Chart } from '@/components/Chart';
import { DataTable, type DataColumn } from '@/components/DataTable';
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
import { formatDate } from '@/lib/format';
import { useUrlState } from '@/lib/urlState';
import {
  daysBetween,
  defaultPeriod,
  formatDays,
  formatSeconds,
  formatShare,
  HEALTH_PARAMS,
  joinList,
  listOf,
  paymentHealthCsvUrl,
  paymentHealthQuery,
  pathMix,
  type HealthFilters,
  type PaymentFinding,
  type PaymentHealth,
  type PaymentHealthDay,
  type PaymentHealthFigures,
  type PaymentHealthRates,
  type PaymentPartnerHealth,
} from '../api/payments';
import { FilterErrors } from '@/components/FilterErrors';

const count = new Intl.NumberFormat();
const dayName = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayLabel = (d: string) => {
  const t = new Date(`${d}T00:00:00Z`);
  return Number.isNaN(t.getTime()) ? d : dayName.format(t);
};
const percentTick = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/** The rules a partner's integration is measured against, in words; a rule added later as the server names it. */
const RULE_LABEL: Record<string, string> = {
  interoperability_token: 'Interoperability token',
  cancel_unused_requests: 'Cancel unused requests',
  follow_payment_states: 'Follow payment states',
};

const finalOf = (f: PaymentHealthFigures) => f.authorized + f.declined + f.expired + f.canceled;

/** One headline figure: what it is, its value, and what it counts. */
function Headline({ label, value, hint }: { label: string; value: string; hint: string }) {
  return (
    <Paper withBorder p="sm" radius="md" aria-label={label} data-headline={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={700}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
    </Paper>
  );
}

function Headlines({ figures: f, rates: r }: { figures: PaymentHealthFigures; rates: PaymentHealthRates }) {
  const final = finalOf(f);
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="sm" aria-label="Headline figures" component="section">
      <Headline label="Authorization rate" value={formatShare(r.authorization_rate)} hint={`${count.format(f.authorized)} of ${count.format(final)} that reached a final state`} />
      <Headline label="Decline rate" value={formatShare(r.decline_rate)} hint={`${count.format(f.declined)} declined`} />
      <Headline label="Expiry rate" value={formatShare(r.expiry_rate)} hint={`${count.format(f.expired)} expired instead of being canceled`} />
      <Headline label="Mean time to authorize" value={formatSeconds(r.seconds_to_authorize)} hint="From submission to authorization" />
      <Headline
        label="Interoperability share"
        value={formatShare(r.interoperability_share)}
        hint={`${count.format(f.interoperability_carried)} of ${count.format(f.interoperability_expected)} that should carry the token`}
      />
      <Headline label="Settlement lag" value={formatDays(r.settlement_lag_days)} hint={`Capture to payout, over ${count.format(f.settled_sale_lines)} sale lines`} />
      <Headline label="Path mix" value={pathMix(r)} hint={`${count.format(f.hosted)} hosted, ${count.format(f.server_side)} server-side`} />
      <Headline label="Payments" value={count.format(f.payments)} hint={`${count.format(f.open)} still open, ${count.format(f.stale_open)} of them for over a day`} />
    </SimpleGrid>
  );
}

/** The period's charts per day, each with the days' CSV. */
function Charts({ data, filters }: { data: PaymentHealth; filters: HealthFilters }) {
  const days = daysBetween(data.from, data.to);
  const at = new Map<string, PaymentHealthDay>(data.days.map((d) => [d.day, d]));
  // A day without payments has no value (a gap), not a zero.
  const rate = (f: (r: PaymentHealthRates) => number | null | undefined) =>
    days.map((d) => {
      const r = at.get(d)?.rates;
      return r ? (f(r) ?? null) : null;
    });
  const figure = (f: (x: PaymentHealthFigures) => number) =>
    days.map((d) => {
      const x = at.get(d)?.figures;
      return x ? f(x) : null;
    });
  const csv = paymentHealthCsvUrl('days', filters);
  const share = (v: number) => formatShare(v);
  const empty = 'No payments on these days.';

  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
      <Chart
        title="Authorization, decline and expiry rates per day"
        description="Shares of the day’s payments that reached a final state."
        kind="line"
        categories={days}
        categoryLabel={dayLabel}
        categoryAxisLabel="Day created"
        series={[
          { key: 'authorization_rate', label: 'Authorized', values: rate((r) => r.authorization_rate), color: 'teal' },
          { key: 'decline_rate', label: 'Declined', values: rate((r) => r.decline_rate), color: 'red' },
          { key: 'expiry_rate', label: 'Expired', values: rate((r) => r.expiry_rate), color: 'gray' },
        ]}
        format={share}
        tickFormat={(v) => percentTick.format(v)}
        domain={[0, 1]}
        csvHref={csv}
        empty={empty}
      />
      <Chart
        title="Interoperability share per day"
        description="Of the payments that should carry the interoperability token, those that did."
        kind="line"
        categories={days}
        categoryLabel={dayLabel}
        categoryAxisLabel="Day created"
        series={[{ key: 'interoperability_share', label: 'Token carried', values: rate((r) => r.interoperability_share), color: 'blue' }]}
        format={share}
        tickFormat={(v) => percentTick.format(v)}
        domain={[0, 1]}
        csvHref={csv}
        empty="No payment on these days should have carried the token."
      />
      <Chart
        title="Path mix per day"
        description="Payments by integration path, where an event told it."
        kind="bar"
        stacked
        categories={days}
        categoryLabel={dayLabel}
        categoryAxisLabel="Day created"
        series={[
          { key: 'hosted', label: 'Hosted checkout', values: figure((x) => x.hosted), color: 'grape' },
          { key: 'server_side', label: 'Server-side', values: figure((x) => x.server_side), color: 'cyan' },
        ]}
        format={(v) => count.format(v)}
        counts
        csvHref={csv}
        empty={empty}
      />
      <Chart
        title="Settlement lag per day"
        description="Mean days from capture to payout of the day’s payouts’ sale lines."
        kind="bar"
        categories={days}
        categoryLabel={dayLabel}
        categoryAxisLabel="Payout day"
        series={[{ key: 'settlement_lag_days', label: 'Settlement lag', values: rate((r) => r.settlement_lag_days), color: 'orange' }]}
        format={(v) => formatDays(v)}
        tickFormat={(v) => count.format(v)}
        valueAxisLabel="days"
        csvHref={csv}
        empty="No sale line reached a payout on these days."
      />
    </SimpleGrid>
  );
}

function Findings({ findings }: { findings: readonly PaymentFinding[] }) {
  if (findings.length === 0)
    return (
      <Text size="sm" c="teal" data-findings="none">
        Follows Klarna’s rules
      </Text>
    );
  return (
    <List size="sm" spacing={2}>
      {findings.map((f) => (
        <List.Item key={f.rule} data-rule={f.rule}>
          <Text span size="sm" fw={600}>
            {RULE_LABEL[f.rule] ?? f.rule}:
          </Text>{' '}
          {f.message}
        </List.Item>
      ))}
    </List>
  );
}

/** The ranking's columns; `rank` is each partner's place in the server's order (furthest first). */
function rankingColumns(rank: ReadonlyMap<string, number>): DataColumn<PaymentPartnerHealth>[] {
  return [
    { id: 'rank', header: 'Rank', hideable: false, nowrap: true, cell: (p) => <Text size="sm" c="dimmed">{rank.get(p.tenant_id)}</Text> },
    { id: 'partner', header: 'Partner', hideable: false, cell: (p) => <Text size="sm" fw={500}>{p.partner_name}</Text> },
    { id: 'payments', header: 'Payments', align: 'right', nowrap: true, cell: (p) => count.format(p.figures.payments) },
    { id: 'authorization', header: 'Authorized', align: 'right', nowrap: true, cell: (p) => formatShare(p.rates.authorization_rate) },
    { id: 'decline', header: 'Declined', align: 'right', nowrap: true, cell: (p) => formatShare(p.rates.decline_rate) },
    { id: 'expiry', header: 'Expired', align: 'right', nowrap: true, cell: (p) => formatShare(p.rates.expiry_rate) },
    { id: 'interop', header: 'Interoperability', align: 'right', nowrap: true, cell: (p) => formatShare(p.rates.interoperability_share) },
    { id: 'authorize_time', header: 'Time to authorize', align: 'right', nowrap: true, hidden: true, cell: (p) => formatSeconds(p.rates.seconds_to_authorize) },
    { id: 'lag', header: 'Settlement lag', align: 'right', nowrap: true, cell: (p) => formatDays(p.rates.settlement_lag_days) },
    { id: 'path_mix', header: 'Path mix', nowrap: true, hidden: true, cell: (p) => pathMix(p.rates) },
    { id: 'findings', header: 'Findings', hideable: false, maw: 420, cell: (p) => <Findings findings={p.findings} /> },
  ];
}

/** The partners, furthest from Klarna's rules first (as the server ranks them); a click narrows the page to one. */
function Ranking({ data, filters, onPick }: { data: PaymentHealth; filters: HealthFilters; onPick: (tenantId: string) => void }) {
  const cols = useMemo(() => rankingColumns(new Map(data.partners.map((p, i) => [p.tenant_id, i + 1]))), [data.partners]);
  return (
    <section aria-label="Partners by distance from Klarna’s rules">
      <Title order={2} size="h3" mb={4}>
        Partners, furthest from Klarna’s rules first
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Choose a partner to see only its figures.
      </Text>
      <DataTable
        id="payment-health-partners"
        label="Partners by integration health"
        columns={cols}
        rows={data.partners}
        rowKey={(p) => p.tenant_id}
        minWidth={1000}
        exportHref={paymentHealthCsvUrl('partners', filters)}
        onRowClick={(p) => onPick(p.tenant_id)}
        rowLabel={(p) => `${p.partner_name}: ${p.findings.length === 0 ? 'follows the rules' : `${p.findings.length} ${p.findings.length === 1 ? 'finding' : 'findings'}`}, show only this partner`}
        rowAttrs={(p) => ({ 'data-partner': p.tenant_id })}
        highlight={(p) => (p.findings.some((f) => f.gap >= 0.5) ? 'orange' : undefined)}
        empty={{ title: 'No partners', icon: <InboxIcon />, text: 'No partner had payments in this period.' }}
      />
    </section>
  );
}

/** A merchant's (or one partner's) own findings, without a ranking. */
function OwnFindings({ partner }: { partner: PaymentPartnerHealth | undefined }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Findings">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h4">
          Against Klarna’s rules
        </Title>
        {partner && partner.findings.length > 0 && (
          <Badge color="orange" variant="light" tt="none">
            {partner.findings.length} {partner.findings.length === 1 ? 'finding' : 'findings'}
          </Badge>
        )}
      </Group>
      <Findings findings={partner?.findings ?? []} />
    </Paper>
  );
}


/**
 * Integration health: how a partner's payments fare and how far its integration is from Klarna's rules,
 * over a period (the last 30 days by default): headline figures, charts per day, the partners ranked.
 */
export function PaymentHealthPage() {
  const { tenant } = useTenant();
  const acquirer = tenant.kind !== 'partner';
  const { values, set, patch } = useUrlState(HEALTH_PARAMS);
  const [period] = useState(() => defaultPeriod());
  const health = useQuery(paymentHealthQuery(values));
  const partners = useQuery({ ...partnerChoicesQuery, enabled: acquirer });
  const filterError = health.error instanceof ApiError && health.error.fieldErrors.length > 0 ? health.error : undefined;
  const data = health.data;
  const nothing = data !== undefined && data.totals.payments === 0 && data.totals.settled_sale_lines === 0;
  const one = !acquirer;
  const fields = ['from', 'to', ...(acquirer ? ['partner'] : [])];
  const shown = { from: values.from ?? period.from, to: values.to ?? period.to, partner: values.partner };

  return (
    <>
      <Anchor component={Link} to="/payments" size="sm">
        ← Payments
      </Anchor>
      <PageHeader
        title="Integration health"
        description={
          data
            ? `Payments created ${formatDate(`${data.from}T00:00:00Z`)} – ${formatDate(`${data.to}T00:00:00Z`)}${acquirer ? '' : ` at ${tenant.name}`}, measured against Klarna’s rules.`
            : 'How payments fare and how far each integration is from Klarna’s rules.'
        }
      />
      <FilterBar<HealthFilters> label="Health filters" value={shown} onApply={set} cols={{ base: 1, sm: acquirer ? 3 : 2 }} note="Dates are UTC days, both included; by default the last 30 days.">
        {(f, setDraft) => (
          <>
            {dateInput('From', f.from, (v) => setDraft('from', v), fieldError(filterError, 'from'))}
            {dateInput('To', f.to, (v) => setDraft('to', v), fieldError(filterError, 'to'))}
            {acquirer && (
              <MultiSelect
                label="Partners"
                placeholder={f.partner ? undefined : 'Every partner'}
                data={partners.data ?? []}
                value={listOf(f.partner)}
                onChange={(v) => setDraft('partner', joinList(v))}
                searchable
                clearable
                error={fieldError(filterError, 'partner')}
              />
            )}
          </>
        )}
      </FilterBar>

      <FilterErrors error={filterError} fields={fields} />

      {health.error && !filterError ? (
        <ErrorPanel error={health.error} title="The integration health could not be loaded" onRetry={() => void health.refetch()} />
      ) : filterError ? null : !data ? (
        <PageLoader label="Loading the integration health" />
      ) : nothing ? (
        <EmptyState title="No payments in this period" icon={<InboxIcon />}>
          No payment was created between these dates{values.partner ? ' for these partners' : ''}. Widen the period or clear the filters; the figures appear as soon as Klarna reports payments.
        </EmptyState>
      ) : (
        <Stack gap="lg">
          <Headlines figures={data.totals} rates={data.rates} />
          {one && <OwnFindings partner={data.partners[0]} />}
          <section aria-label="Per day">
            <Title order={2} size="h3" mb="sm">
              Per day
            </Title>
            <Charts data={data} filters={values} />
          </section>
          {!one && <Ranking data={data} filters={values} onPick={(id) => patch({ partner: id })} />}
        </Stack>
      )}
    </>
  );
}
