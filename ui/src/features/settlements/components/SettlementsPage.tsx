import { Anchor, Group, MultiSelect, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { dateInput } from '@/components/DateInput';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';
import { partnerChoicesQuery } from '@/features/partners';
import { ApiError } from '@/lib/api';
import { formatDate, formatMoney } from '@/lib/format';
import { hasValues, useUrlState } from '@/lib/urlState';
import { PAYOUT_PARAMS, payoutsExportUrl, payoutsQuery, type PayoutFilters, type PayoutSummary, type PayoutTotals } from '../api/settlements';
import { ReconciledBadge } from './badges';
import { SettlementCharts } from './SettlementCharts';
import { StatementPanel } from './StatementPanel';

const split = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : []);
const join = (v: readonly string[]) => (v.length ? v.join(',') : undefined);

function columns(acquirer: boolean): DataColumn<PayoutSummary>[] {
  const m = (v: number, p: PayoutSummary) => formatMoney(v, p.currency);
  const cols: (DataColumn<PayoutSummary> | false)[] = [
    { id: 'date', header: 'Payout date', hideable: false, nowrap: true, cell: (p) => formatDate(p.payout_date) },
    acquirer && { id: 'partner', header: 'Partner', cell: (p) => <Text size="sm" fw={500}>{p.partner_name}</Text> },
    { id: 'reference', header: 'Payment reference', nowrap: true, cell: (p) => <Text size="sm" ff="monospace">{p.payment_reference}</Text> },
    { id: 'type', header: 'Type', hidden: true, cell: (p) => p.settlement_type },
    { id: 'sales', header: 'Sales', align: 'right', nowrap: true, cell: (p) => m(p.sale_amount, p) },
    { id: 'returns', header: 'Returns', align: 'right', nowrap: true, cell: (p) => m(-p.return_amount, p) },
    { id: 'fees', header: 'Fees + tax', align: 'right', nowrap: true, cell: (p) => m(-(p.fee_amount + p.tax_amount), p) },
    { id: 'chargebacks', header: 'Chargebacks', align: 'right', nowrap: true, hidden: true, cell: (p) => m(-p.reversal_amount, p) },
    { id: 'held', header: 'Held / released', align: 'right', nowrap: true, hidden: true, cell: (p) => m(p.release_amount - p.holdback_amount, p) },
    { id: 'net', header: 'Net settlement', align: 'right', nowrap: true, hideable: false, cell: (p) => <Text size="sm" fw={600}>{m(p.settlement_amount, p)}</Text> },
    { id: 'reconciled', header: 'Reconciliation', nowrap: true, cell: (p) => <ReconciledBadge reconciled={p.reconciled} /> },
  ];
  return cols.filter((c): c is DataColumn<PayoutSummary> => c !== false);
}

/** The filtered payouts' sums per currency. */
function Totals({ totals }: { totals: readonly PayoutTotals[] }) {
  if (totals.length === 0) return null;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" mb="md" aria-label="Totals of the filtered payouts">
      {totals.map((t) => (
        <Paper key={t.currency} withBorder p="sm" radius="md" aria-label={`Totals in ${t.currency}`}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {t.currency} · {t.payouts} payouts
          </Text>
          <Text size="lg" fw={700}>
            {formatMoney(t.settlement_amount, t.currency)}
          </Text>
          <Text size="xs" c="dimmed">
            sales {formatMoney(t.sale_amount, t.currency)} · fees {formatMoney(t.fee_amount + t.tax_amount, t.currency)} · returns {formatMoney(t.return_amount, t.currency)}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/** Settlements home: the payouts with their totals and reconciliation, the charts over time and the monthly statement. */
export function SettlementsPage() {
  const { tenant, canAnywhere } = useTenant();
  const acquirer = tenant.kind !== 'partner';
  const navigate = useNavigate();
  const { values, set } = useUrlState(PAYOUT_PARAMS);
  const payouts = useInfiniteQuery(payoutsQuery(values));
  const list = useInfiniteRows(payouts);
  const partners = useQuery({ ...partnerChoicesQuery, enabled: acquirer });
  const filterError = payouts.error instanceof ApiError && payouts.error.fieldErrors.length > 0 ? payouts.error : undefined;
  const totals = payouts.data?.pages[0]?.totals ?? [];

  return (
    <Stack gap="lg">
      <div>
        <PageHeader
          title="Settlements"
          description={acquirer ? 'Payouts from Klarna to your partners, newest first, and whether each adds up.' : 'Payouts from Klarna to your store, newest first, and whether each adds up.'}
          actions={
            <Anchor component={Link} to="/settlements/transactions" size="sm">
              Find a transaction
            </Anchor>
          }
        />
        <FilterBar<PayoutFilters> label="Payout filters" value={values} onApply={set} cols={{ base: 1, sm: 2, lg: acquirer ? 5 : 4 }} note="Dates are UTC days.">
          {(f, setDraft) => (
            <>
              {acquirer && (
                <MultiSelect label="Partners" placeholder={f.partner ? undefined : 'Every partner'} data={partners.data ?? []} value={split(f.partner)} onChange={(v) => setDraft('partner', join(v))} searchable clearable error={fieldError(filterError, 'partner')} />
              )}
              <TextInput label="Currencies" placeholder="e.g. SEK, NOK" value={f.currency ?? ''} onChange={(e) => setDraft('currency', e.currentTarget.value.toUpperCase().replace(/\s+/g, ''))} error={fieldError(filterError, 'currency')} />
              {dateInput('Paid from', f.from, (v) => setDraft('from', v), fieldError(filterError, 'from'))}
              {dateInput('Paid until', f.to, (v) => setDraft('to', v), fieldError(filterError, 'to'))}
              <Select
                label="Reconciliation"
                placeholder="Any"
                data={[
                  { value: 'false', label: 'Does not reconcile' },
                  { value: 'true', label: 'Reconciles' },
                ]}
                value={f.reconciled ?? null}
                onChange={(v) => setDraft('reconciled', v)}
                clearable
              />
            </>
          )}
        </FilterBar>
        <Totals totals={totals} />
        <DataTable
          id="payouts"
          label="Payouts"
          columns={columns(acquirer)}
          rowKey={(p) => p.payment_reference}
          {...list}
          error={filterError ? undefined : list.error}
          loadingLabel="Loading payouts"
          nouns={['payout', 'payouts']}
          exportHref={canAnywhere('settlement:export') ? payoutsExportUrl(values) : undefined}
          onRowClick={(p) => void navigate(`/settlements/payouts/${encodeURIComponent(p.payment_reference)}`)}
          rowLabel={(p) => `Payout ${p.payment_reference}${acquirer ? ` to ${p.partner_name}` : ''}, ${formatMoney(p.settlement_amount, p.currency)}, open it`}
          rowAttrs={(p) => ({ 'data-payout': p.payment_reference })}
          highlight={(p) => (p.reconciled === false ? 'red' : undefined)}
          empty={{
            title: 'No payouts',
            icon: <InboxIcon />,
            text: hasValues(values) ? 'No payout matches these filters.' : 'Payouts appear here as Klarna reports its settlements (a webhook, and a sync every few minutes).',
          }}
        />
      </div>

      <section aria-label="Over time">
        <Title order={2} size="h3" mb="sm">
          Over time
        </Title>
        <SettlementCharts window={{ from: values.from, to: values.to, partner: split(values.partner) }} />
      </section>

      <section aria-label="Monthly statement">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h3">
            Monthly statement
          </Title>
        </Group>
        <StatementPanel />
      </section>
    </Stack>
  );
}
