import { Alert, Anchor, Button, Group, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Chart } from '@/components/Chart';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { Fact } from '@/components/Fact';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatDate, formatDateTime, formatMoney } from '@/lib/format';
import { hasValues, useUrlState } from '@/lib/urlState';
import { klarnaReportUrl, LINE_PARAMS, lineTypeLabel, payoutDetailQuery, payoutLinesExportUrl, payoutLinesQuery, type LineFilters, type PayoutDetail, type SettlementLine } from '../api/settlements';
import { ReconciledBadge } from './badges';

/**
 * The lines' columns; the payout column only where lines of several payouts are listed; with
 * `paymentLinks`, an order id opens the payments list searched for it.
 */
export function lineColumns(withPayout: boolean, paymentLinks = false): DataColumn<SettlementLine>[] {
  const cols: (DataColumn<SettlementLine> | false)[] = [
    withPayout && {
      id: 'payout',
      header: 'Payout',
      nowrap: true,
      hideable: false,
      cell: (l) => (
        <Anchor component={Link} to={`/settlements/payouts/${encodeURIComponent(l.payment_reference)}`} size="sm" ff="monospace" onClick={(e) => e.stopPropagation()}>
          {l.payment_reference}
        </Anchor>
      ),
    },
    { id: 'type', header: 'Type', nowrap: true, hideable: false, cell: (l) => <Text size="sm">{lineTypeLabel(l.type)}</Text> },
    { id: 'detailed', header: 'Detail', cell: (l) => <Text size="xs" ff="monospace">{l.detailed_type || '—'}</Text> },
    { id: 'amount', header: 'Amount', align: 'right', nowrap: true, hideable: false, cell: (l) => formatMoney(l.amount, l.currency) },
    { id: 'vat', header: 'VAT', align: 'right', nowrap: true, hidden: true, cell: (l) => (l.vat_amount == null ? '—' : formatMoney(l.vat_amount, l.currency)) },
    {
      id: 'order',
      header: 'Order id',
      cell: (l) =>
        l.order_id && paymentLinks ? (
          <Anchor component={Link} to={`/payments?q=${encodeURIComponent(l.order_id)}`} size="xs" ff="monospace" title="Payment" onClick={(e) => e.stopPropagation()}>
            {l.order_id}
          </Anchor>
        ) : (
          <Text size="xs" ff="monospace">{l.order_id || '—'}</Text>
        ),
    },
    { id: 'capture', header: 'Capture / refund id', cell: (l) => <Text size="xs" ff="monospace">{l.capture_id || l.refund_id || '—'}</Text> },
    { id: 'reference', header: 'Merchant reference', hidden: true, cell: (l) => l.merchant_reference1 || '—' },
    { id: 'captured', header: 'Captured', nowrap: true, hidden: true, cell: (l) => formatDate(l.capture_date) },
    {
      id: 'dispute',
      header: 'Dispute',
      cell: (l) =>
        l.dispute_id ? (
          <Anchor component={Link} to={`/disputes/${encodeURIComponent(l.dispute_id)}`} size="sm" onClick={(e) => e.stopPropagation()}>
            Open the dispute
          </Anchor>
        ) : l.reversal_reference ? (
          <Text size="xs" ff="monospace">
            {l.reversal_reference}
          </Text>
        ) : (
          '—'
        ),
    },
  ];
  return cols.filter((c): c is DataColumn<SettlementLine> => c !== false);
}

/** Where the money went: sales, each deduction as a step down, and the net as the last bar. */
function Waterfall({ d }: { d: PayoutDetail }) {
  const p = d.payout;
  const steps: [string, number][] = [
    ['Sales', p.sale_amount],
    ['Returns', -p.return_amount],
    ['Fees + tax', -(p.fee_amount + p.tax_amount)],
    ['Chargebacks', -p.reversal_amount],
    ['Held / released', p.release_amount - p.holdback_amount],
  ];
  const categories = [...steps.map(([k]) => k), 'Net settlement'];
  // Each step hangs from where the one before ended; the net stands on zero.
  const values = [...steps.map(([, v]) => v), p.settlement_amount];
  const base: number[] = [];
  let running = 0;
  for (const [, v] of steps) {
    base.push(running);
    running += v;
  }
  base.push(0);
  return (
    <Chart
      title="Where the money went"
      description="From the sales to the net settlement, each deduction a step down."
      kind="bar"
      categories={categories}
      series={[{ key: 'amount', label: 'Amount', values, base, color: 'teal' }]}
      format={(v) => formatMoney(v, p.currency)}
      tickFormat={(v) => formatMoney(v, p.currency)}
    />
  );
}

function Lines({ reference }: { reference: string }) {
  const { can, canAnywhere } = useTenant();
  const { values, set } = useUrlState(LINE_PARAMS);
  const lines = useInfiniteQuery(payoutLinesQuery(reference, values));
  const list = useInfiniteRows(lines);
  const filterError = lines.error instanceof ApiError && lines.error.fieldErrors.length > 0 ? lines.error : undefined;
  return (
    <section aria-label="Transaction lines">
      <Title order={2} size="h3" mb="sm">
        Transaction lines
      </Title>
      <FilterBar<LineFilters> label="Line filters" value={values} onApply={set} cols={{ base: 1, sm: 2, lg: 4 }}>
        {(f, setDraft) => (
          <>
            <TextInput label="Types" placeholder="e.g. SALE, FEE" value={f.type ?? ''} onChange={(e) => setDraft('type', e.currentTarget.value.toUpperCase().replace(/\s+/g, ''))} error={fieldError(filterError, 'type')} />
            <TextInput label="Order id" value={f.order_id ?? ''} onChange={(e) => setDraft('order_id', e.currentTarget.value)} error={fieldError(filterError, 'order_id')} />
            <TextInput label="Capture id" value={f.capture_id ?? ''} onChange={(e) => setDraft('capture_id', e.currentTarget.value)} error={fieldError(filterError, 'capture_id')} />
            <TextInput label="Refund id" value={f.refund_id ?? ''} onChange={(e) => setDraft('refund_id', e.currentTarget.value)} error={fieldError(filterError, 'refund_id')} />
          </>
        )}
      </FilterBar>
      <DataTable
        id="payout-lines"
        label="Transaction lines"
        columns={lineColumns(false, can('payment:read'))}
        rowKey={(l) => String(l.id)}
        {...list}
        error={filterError ? undefined : list.error}
        loadingLabel="Loading the lines"
        nouns={['line', 'lines']}
        exportHref={canAnywhere('settlement:export') ? payoutLinesExportUrl(reference, values) : undefined}
        exportLabel="Partner Desk CSV"
        empty={{ title: 'No lines', text: hasValues(values) ? 'No line of this payout matches these filters.' : 'Klarna has reported no lines for this payout yet.' }}
      />
    </section>
  );
}

/** A payout: its totals, whether they add up, where the money went, its lines and its reports. */
export function PayoutPage() {
  const reference = useParams().payout ?? '';
  const { canAnywhere } = useTenant();
  const detail = useQuery(payoutDetailQuery(reference));
  const back = (
    <Anchor component={Link} to="/settlements" size="sm">
      ← Settlements
    </Anchor>
  );
  if (detail.error) {
    return (
      <Stack>
        {back}
        {detail.error instanceof ApiError && detail.error.status === 404 ? (
          <EmptyState title="No such payout">This payout does not exist or is not one you can see.</EmptyState>
        ) : (
          <ErrorPanel error={detail.error} title="The payout could not be loaded" onRetry={() => void detail.refetch()} />
        )}
      </Stack>
    );
  }
  if (!detail.data) return <PageLoader label="Loading the payout" />;
  const d = detail.data;
  const p = d.payout;
  const m = (v: number) => formatMoney(v, p.currency);

  return (
    <Stack gap="md" style={{ minWidth: 0 }}>
      {back}
      <PageHeader title={`Payout of ${m(p.settlement_amount)}`} description={`${p.partner_name} · ${formatDate(p.payout_date)} · ${p.payment_reference}`} />
      {p.reconciled === false && (
        <Alert color="red" title={`Does not reconcile: ${m(p.difference)} unexplained`}>
          {d.mismatches.length > 0
            ? d.mismatches.map((x) => `${x.total.replace(/_/g, ' ')}: Klarna reports ${m(x.reported)}, the lines add up to ${m(x.lines)}`).join('; ')
            : 'The settlement amount is not what the lines add up to.'}
          .
        </Alert>
      )}
      <Paper withBorder p="md" radius="md">
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md">
          <Fact label="Sales">{m(p.sale_amount)}</Fact>
          <Fact label="Returns">{m(-p.return_amount)}</Fact>
          <Fact label="Fees + tax">{m(-(p.fee_amount + p.tax_amount))}</Fact>
          <Fact label="Chargebacks">{m(-p.reversal_amount)}</Fact>
          <Fact label="Held / released">{m(p.release_amount - p.holdback_amount)}</Fact>
          <Fact label="Net settlement">{m(p.settlement_amount)}</Fact>
          <Fact label="Reconciliation">
            <ReconciledBadge reconciled={p.reconciled} />
          </Fact>
          <Fact label="Debt balance">
            {m(d.opening_debt_amount)} → {m(d.closing_debt_amount)}
          </Fact>
          <Fact label="Settlement type">{p.settlement_type || '—'}</Fact>
          <Fact label="Lines">
            {p.line_count}
            {p.lines_complete ? '' : ' (still reading)'}
          </Fact>
          <Fact label="Read from Klarna">{formatDateTime(d.updated_at)}</Fact>
        </SimpleGrid>
      </Paper>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Waterfall d={d} />
        <Paper withBorder p="md" radius="md" component="section" aria-label="Totals by type">
          <Title order={3} size="h4" mb="xs">
            Lines by type
          </Title>
          <Stack gap={4}>
            {d.line_types.map((t) => (
              <Group key={t.type} justify="space-between" wrap="nowrap">
                <Text size="sm">
                  {lineTypeLabel(t.type)} <Text span size="xs" c="dimmed">({t.lines})</Text>
                </Text>
                <Text size="sm">{m(t.amount)}</Text>
              </Group>
            ))}
          </Stack>
          {canAnywhere('settlement:export') && (
            <Group mt="md" gap="xs">
              <Button component="a" href={klarnaReportUrl(reference, 'csv')} variant="default" size="xs" download>
                Klarna’s CSV
              </Button>
              <Button component="a" href={klarnaReportUrl(reference, 'pdf')} variant="default" size="xs" download>
                Klarna’s PDF
              </Button>
            </Group>
          )}
        </Paper>
      </SimpleGrid>
      <Lines reference={reference} />
    </Stack>
  );
}
