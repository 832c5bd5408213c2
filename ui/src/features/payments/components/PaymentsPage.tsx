import { Button, MultiSelect, Select, Stack, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { dateInput } from '@/components/DateInput';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';
import { partnerChoicesQuery } from '@/features/partners';
import { ApiError } from '@/lib/api';
import { formatDateTime } from '@/lib/format';
import { hasValues, useUrlState } from '@/lib/urlState';
import {
  amountText,
  INTEROP,
  INTEROP_LABEL,
  joinList,
  listOf,
  PATHS,
  pathLabel,
  PAYMENT_PARAMS,
  paymentPath,
  paymentsExportUrl,
  paymentsQuery,
  paymentTypeLabel,
  stateLabel,
  STATES,
  type PaymentFilters,
  type PaymentSummary,
} from '../api/payments';
import { InteropBadge, PaymentStateBadge } from './badges';
import { FilterErrors } from '@/components/FilterErrors';

const mono = { wordBreak: 'break-all' } as const;

function columns(acquirer: boolean): DataColumn<PaymentSummary>[] {
  const id = (v: string) => (v ? <Text size="xs" ff="monospace" style={mono}>{v}</Text> : '—');
  const cols: (DataColumn<PaymentSummary> | false)[] = [
    { id: 'created', header: 'Created', hideable: false, nowrap: true, cell: (p) => <Text size="sm">{formatDateTime(p.created_at)}</Text> },
    acquirer && { id: 'partner', header: 'Partner', cell: (p) => <Text size="sm" fw={500}>{p.partner_name}</Text> },
    {
      id: 'reference',
      header: 'Reference / id',
      hideable: false,
      maw: 300,
      cell: (p) => (
        <Stack gap={0}>
          <Text size="sm" ff="monospace" fw={500} style={mono}>
            {p.reference || '—'}
          </Text>
          <Text size="xs" c="dimmed" ff="monospace" style={mono}>
            {p.id}
          </Text>
        </Stack>
      ),
    },
    { id: 'state', header: 'State', nowrap: true, hideable: false, cell: (p) => <PaymentStateBadge state={p.state} /> },
    { id: 'amount', header: 'Amount', align: 'right', nowrap: true, hideable: false, cell: (p) => <Text size="sm">{amountText(p)}</Text> },
    { id: 'path', header: 'Integration path', nowrap: true, cell: (p) => (p.integration_path ? <Text size="sm">{pathLabel(p.integration_path)}</Text> : <Text size="sm" c="dimmed">—</Text>) },
    { id: 'interop', header: 'Interoperability', nowrap: true, cell: (p) => <InteropBadge value={p.interoperability} /> },
    { id: 'changed', header: 'Last changed', nowrap: true, cell: (p) => <Text size="sm">{formatDateTime(p.state_at)}</Text> },
    { id: 'type', header: 'Payment type', nowrap: true, hidden: true, cell: (p) => paymentTypeLabel(p.payment_type) },
    { id: 'purchase_reference', header: 'Purchase reference', hidden: true, cell: (p) => id(p.purchase_reference) },
    { id: 'transaction', header: 'Payment transaction id', hidden: true, maw: 260, cell: (p) => id(p.payment_transaction_id) },
    { id: 'order', header: 'Order id', hidden: true, cell: (p) => id(p.order_id) },
  ];
  return cols.filter((c): c is DataColumn<PaymentSummary> => c !== false);
}

/** The options plus any value in the address that this build does not know (kept, shown as sent). */
function withUnknown(options: { value: string; label: string }[], current: string | undefined) {
  const extra = listOf(current).filter((v) => !options.some((o) => o.value === v));
  return [...options, ...extra.map((v) => ({ value: v, label: v }))];
}


/** Every payment request Klarna reported, newest first: filters in the address, keyset "Load more", CSV export. */
export function PaymentsPage() {
  const { tenant } = useTenant();
  const acquirer = tenant.kind !== 'partner';
  const navigate = useNavigate();
  const { search } = useLocation();
  const { values, set } = useUrlState(PAYMENT_PARAMS);
  const payments = useInfiniteQuery(paymentsQuery(values));
  const list = useInfiniteRows(payments);
  const partners = useQuery({ ...partnerChoicesQuery, enabled: acquirer });
  const filterError = payments.error instanceof ApiError && payments.error.fieldErrors.length > 0 ? payments.error : undefined;
  const cols = useMemo(() => columns(acquirer), [acquirer]);
  const fields = ['q', ...(acquirer ? ['partner'] : []), 'state', 'currency', 'path', 'interop', 'from', 'to'];

  return (
    <>
      <PageHeader
        title="Payments"
        description={acquirer ? 'Every payment request of your partners, newest first, and what happened to it.' : 'Every payment request at your store, newest first, and what happened to it.'}
        actions={
          <Button component={Link} to="/payments/health" variant="default" size="sm">
            Integration health
          </Button>
        }
      />
      <FilterBar<PaymentFilters> label="Payment filters" value={values} onApply={set} cols={{ base: 1, sm: 2, lg: 4 }} note="Dates are UTC days; search finds ids and references exactly as Klarna reports them.">
        {(f, setDraft) => (
          <>
            <TextInput
              label="Search"
              placeholder="Payment id or reference, purchase reference, transaction or order id"
              type="search"
              value={f.q ?? ''}
              onChange={(e) => setDraft('q', e.currentTarget.value)}
              error={fieldError(filterError, 'q')}
            />
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
            <MultiSelect
              label="States"
              placeholder={f.state ? undefined : 'Any state'}
              data={withUnknown(STATES.map((s) => ({ value: s, label: stateLabel(s) })), f.state)}
              value={listOf(f.state)}
              onChange={(v) => setDraft('state', joinList(v))}
              clearable
              error={fieldError(filterError, 'state')}
            />
            <TextInput
              label="Currencies"
              placeholder="e.g. SEK, NOK"
              value={f.currency ?? ''}
              onChange={(e) => setDraft('currency', e.currentTarget.value.toUpperCase().replace(/\s+/g, ''))}
              error={fieldError(filterError, 'currency')}
            />
            <MultiSelect
              label="Integration paths"
              placeholder={f.path ? undefined : 'Any path'}
              data={withUnknown(PATHS.map((p) => ({ value: p, label: pathLabel(p) })), f.path)}
              value={listOf(f.path)}
              onChange={(v) => setDraft('path', joinList(v))}
              clearable
              error={fieldError(filterError, 'path')}
            />
            <Select
              label="Interoperability token"
              placeholder="Carried or not"
              data={INTEROP.map((v) => ({ value: v, label: v === 'missing' ? `${INTEROP_LABEL.missing} (it should have been passed)` : INTEROP_LABEL.carried }))}
              value={f.interop ?? null}
              onChange={(v) => setDraft('interop', v)}
              clearable
              error={fieldError(filterError, 'interop')}
            />
            {dateInput('Created from', f.from, (v) => setDraft('from', v), fieldError(filterError, 'from'))}
            {dateInput('Created until', f.to, (v) => setDraft('to', v), fieldError(filterError, 'to'))}
          </>
        )}
      </FilterBar>

      <FilterErrors error={filterError} fields={fields} />

      <DataTable
        id="payments"
        label="Payments"
        columns={cols}
        rowKey={(p) => p.id}
        {...list}
        error={filterError ? undefined : list.error}
        loadingLabel="Loading payments"
        nouns={['payment', 'payments']}
        minWidth={acquirer ? 1100 : 960}
        exportHref={paymentsExportUrl(values)}
        onRowClick={(p) => void navigate(paymentPath(p.id), { state: { back: search } })}
        rowLabel={(p) => `Payment ${p.reference || p.id}${acquirer ? ` at ${p.partner_name}` : ''}, ${amountText(p)}, ${stateLabel(p.state)}, open it`}
        rowAttrs={(p) => ({ 'data-payment': p.id, 'data-state': p.state })}
        empty={{
          title: filterError ? 'No payments listed' : hasValues(values) ? 'No payment matches' : 'No payments yet',
          icon: <InboxIcon />,
          text: filterError
            ? 'Correct the filters to see the payments.'
            : hasValues(values)
              ? 'No payment matches these filters. Search finds payment ids and references, purchase references, transaction and order ids exactly as Klarna reports them.'
              : 'Payments appear here as Klarna reports their requests’ states (a webhook for each change).',
        }}
      />
    </>
  );
}
