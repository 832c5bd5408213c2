import { Badge, Button, Code, Group, MultiSelect, NumberInput, Select, Stack, Tabs, Text, TextInput } from '@mantine/core';
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
import { formatDate, formatMoney } from '@/lib/format';
import { hasValues, useUrlState } from '@/lib/urlState';
import {
  DEFAULT_VIEW,
  disputesExportUrl,
  disputesQuery,
  enumLabel,
  joinList,
  listOf,
  OUTCOMES,
  QUEUE_PARAMS,
  REASONS,
  reasonLabel,
  STATES,
  VIEW_LABEL,
  VIEWS,
  type DisputeSummary,
  type QueueFilters,
  type QueueParams,
  type View,
} from '../api/disputes';
import { DisputeStateBadge, OutcomeBadge, TimeLeftBadge, useNow } from './badges';
import { SavedViews } from './SavedViews';

function columns(now: number, acquirer: boolean): DataColumn<DisputeSummary>[] {
  const cols: (DataColumn<DisputeSummary> | false)[] = [
    { id: 'time_left', header: 'Time left', hideable: false, nowrap: true, cell: (d) => <TimeLeftBadge deadline={d.deadline_at} now={now} /> },
    acquirer && { id: 'partner', header: 'Partner', cell: (d) => <Text size="sm" fw={500}>{d.partner_name}</Text> },
    { id: 'reason', header: 'Reason', cell: (d) => <Text size="sm">{reasonLabel(d.reason)}</Text> },
    { id: 'amount', header: 'Amount', align: 'right', nowrap: true, cell: (d) => <Text size="sm">{formatMoney(d.amount, d.currency)}</Text> },
    {
      id: 'state',
      header: 'State',
      nowrap: true,
      cell: (d) => (
        <Group gap={4} wrap="nowrap">
          <DisputeStateBadge state={d.state} />
          <OutcomeBadge outcome={d.outcome} />
        </Group>
      ),
    },
    { id: 'assignee', header: 'Assignee', cell: (d) => (d.assignee ? <Text size="sm">{d.assignee.name}</Text> : <Text size="sm" c="dimmed">No one</Text>) },
    { id: 'opened_at', header: 'Opened', nowrap: true, cell: (d) => <Text size="sm">{formatDate(d.opened_at)}</Text> },
    { id: 'order_id', header: 'Order id', hidden: true, cell: (d) => <Code>{d.order_id || '—'}</Code> },
    { id: 'purchase_reference', header: 'Purchase reference', hidden: true, cell: (d) => <Code>{d.purchase_reference || '—'}</Code> },
  ];
  return cols.filter((c): c is DataColumn<DisputeSummary> => Boolean(c));
}

/** The options plus any value in the address that Klarna added after this build (kept, shown as sent). */
function withUnknown(options: { value: string; label: string }[], current: string | undefined) {
  const extra = listOf(current).filter((v) => !options.some((o) => o.value === v));
  return [...options, ...extra.map((v) => ({ value: v, label: v }))];
}

/** Amounts are kept in minor units (as the API takes them); the form shows them in major units. */
const toMajor = (minor: string | undefined) => (minor ? Number(minor) / 100 : '');
const toMinor = (major: string | number) => (major === '' || major === undefined ? undefined : String(Math.round(Number(major) * 100)));


/** The dispute queue: views with their counts, filters in the address, keyset "Load more", saved views, CSV export. */
export function DisputesPage() {
  const { tenant, me: session } = useTenant();
  const me = session.user;
  const acquirer = tenant.kind !== 'partner';
  const navigate = useNavigate();
  const { search } = useLocation();
  const { values, set, patch } = useUrlState(QUEUE_PARAMS);
  const view: View = values.view ?? DEFAULT_VIEW;
  const filters: QueueFilters = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'view'));
  const query: QueueParams = { view, ...filters };
  const disputes = useInfiniteQuery(disputesQuery(query));
  const list = useInfiniteRows(disputes);
  const counts = disputes.data?.pages[0]?.counts;
  const filterError = disputes.error instanceof ApiError && disputes.error.fieldErrors.length > 0 ? disputes.error : undefined;
  const now = useNow();
  const cols = useMemo(() => columns(now, acquirer), [now, acquirer]);
  const partners = useQuery({ ...partnerChoicesQuery, enabled: acquirer });
  const partnerOptions = partners.data ?? [];
  // Users to filter by: anyone assigned in what is listed, and the one in the address.
  const assigneeOptions = useMemo(() => {
    const seen = new Map<string, string>();
    for (const d of list.rows) if (d.assignee && d.assignee.id !== me?.id) seen.set(d.assignee.id, d.assignee.name);
    const opts = [
      { value: 'me', label: 'Me' },
      { value: 'none', label: 'No one' },
      ...[...seen].map(([value, label]) => ({ value, label })),
    ];
    if (values.assignee && !opts.some((o) => o.value === values.assignee)) opts.push({ value: values.assignee, label: 'The chosen user' });
    return opts;
  }, [list.rows, me?.id, values.assignee]);
  const mine = values.assignee === 'me';

  return (
    <>
      <PageHeader
        title="Disputes"
        description={acquirer ? 'Customer disputes against your partners, soonest deadline first.' : 'Customer disputes against your store, soonest deadline first.'}
        actions={
          <Button component={Link} to="/disputes/analytics" variant="default" size="sm">
            Analytics
          </Button>
        }
      />

      <Tabs value={view} onChange={(v) => patch({ view: (v as View) ?? undefined })} mb="md" keepMounted={false}>
        <Tabs.List aria-label="Dispute views" style={{ flexWrap: 'wrap' }}>
          {VIEWS.map((v) => (
            <Tabs.Tab key={v} value={v} rightSection={counts ? <Badge size="sm" variant="light" color={v === 'expires_soon' && counts[v] > 0 ? 'red' : 'gray'} data-count={v}>{counts[v]}</Badge> : undefined}>
              {VIEW_LABEL[v]}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>

      <Group justify="space-between" mb="sm" gap="xs" wrap="wrap">
        <Button variant={mine ? 'filled' : 'default'} size="sm" aria-pressed={mine} onClick={() => patch({ assignee: mine ? undefined : 'me' })}>
          Assigned to me
        </Button>
        <SavedViews query={query} onPick={(qs) => set(Object.fromEntries(new URLSearchParams(qs)) as QueueParams)} />
      </Group>

      <FilterBar<QueueFilters> label="Dispute filters" value={filters} onApply={(f) => set({ ...f, view: values.view })} cols={{ base: 1, sm: 2, lg: 4 }}>
        {(f, setDraft) => (
          <>
            <TextInput
              label="Search"
              placeholder="Dispute id, order or transaction id, purchase reference"
              value={f.q ?? ''}
              onChange={(e) => setDraft('q', e.currentTarget.value)}
              error={fieldError(filterError, 'q')}
              type="search"
            />
            {acquirer && (
              <MultiSelect label="Partners" placeholder={f.partner ? undefined : 'Any partner'} data={partnerOptions} value={listOf(f.partner)} onChange={(v) => setDraft('partner', joinList(v))} clearable searchable error={fieldError(filterError, 'partner')} />
            )}
            <MultiSelect label="States" placeholder={f.state ? undefined : 'Any state'} data={withUnknown(STATES.map((s) => ({ value: s, label: enumLabel(s) })), f.state)} value={listOf(f.state)} onChange={(v) => setDraft('state', joinList(v))} clearable error={fieldError(filterError, 'state')} />
            <MultiSelect
              label="Reasons"
              placeholder={f.reason ? undefined : 'Any reason'}
              data={withUnknown(Object.entries(REASONS).map(([value, r]) => ({ value, label: r.label })), f.reason)}
              value={listOf(f.reason)}
              onChange={(v) => setDraft('reason', joinList(v))}
              clearable
              error={fieldError(filterError, 'reason')}
            />
            <MultiSelect label="Outcomes" placeholder={f.outcome ? undefined : 'Any outcome'} data={withUnknown(OUTCOMES.map((o) => ({ value: o, label: enumLabel(o) })), f.outcome)} value={listOf(f.outcome)} onChange={(v) => setDraft('outcome', joinList(v))} clearable error={fieldError(filterError, 'outcome')} />
            <Select
              label="Assignee"
              placeholder="Anyone"
              data={assigneeOptions}
              value={f.assignee ?? null}
              onChange={(v) => setDraft('assignee', v)}
              clearable
              error={fieldError(filterError, 'assignee')}
            />
            <Select
              label="Deadline within"
              placeholder="Any deadline"
              data={[
                { value: '24h', label: '24 hours' },
                { value: '72h', label: '72 hours' },
              ]}
              value={f.due_within ?? null}
              onChange={(v) => setDraft('due_within', v)}
              clearable
              error={fieldError(filterError, 'due_within')}
            />
            <Select
              label="Escalation"
              placeholder="Escalated or not"
              data={[{ value: 'true', label: 'Escalated to acquirer support' }]}
              value={f.escalated ?? null}
              onChange={(v) => setDraft('escalated', v)}
              clearable
              error={fieldError(filterError, 'escalated')}
            />
            <TextInput
              label="Currencies"
              placeholder="e.g. SEK, NOK"
              value={f.currency ?? ''}
              onChange={(e) => setDraft('currency', e.currentTarget.value.toUpperCase().replace(/\s+/g, ''))}
              error={fieldError(filterError, 'currency')}
            />
            <Group grow gap="xs" align="flex-start">
              <NumberInput label="Amount from" min={0} decimalScale={2} value={toMajor(f.amount_min)} onChange={(v) => setDraft('amount_min', toMinor(v))} error={fieldError(filterError, 'amount_min')} />
              <NumberInput label="Amount to" min={0} decimalScale={2} value={toMajor(f.amount_max)} onChange={(v) => setDraft('amount_max', toMinor(v))} error={fieldError(filterError, 'amount_max')} />
            </Group>
            {dateInput('Opened from', f.created_from, (v) => setDraft('created_from', v), fieldError(filterError, 'created_from'))}
            {dateInput('Opened until', f.created_to, (v) => setDraft('created_to', v), fieldError(filterError, 'created_to'))}
            {dateInput('Closed from', f.closed_from, (v) => setDraft('closed_from', v), fieldError(filterError, 'closed_from'))}
            {dateInput('Closed until', f.closed_to, (v) => setDraft('closed_to', v), fieldError(filterError, 'closed_to'))}
            {dateInput('Updated from', f.updated_from, (v) => setDraft('updated_from', v), fieldError(filterError, 'updated_from'))}
            {dateInput('Updated until', f.updated_to, (v) => setDraft('updated_to', v), fieldError(filterError, 'updated_to'))}
          </>
        )}
      </FilterBar>

      <DataTable
        id="disputes"
        label="Disputes"
        columns={cols}
        rowKey={(d) => d.id}
        {...list}
        error={filterError ? undefined : list.error}
        loadingLabel="Loading disputes"
        nouns={['dispute', 'disputes']}
        minWidth={acquirer ? 1000 : 880}
        exportHref={disputesExportUrl(query)}
        onRowClick={(d) => void navigate(`/disputes/${encodeURIComponent(d.id)}`, { state: { back: search } })}
        rowLabel={(d) => `${reasonLabel(d.reason)}${acquirer ? ` at ${d.partner_name}` : ''}, ${formatMoney(d.amount, d.currency)}, open the dispute`}
        rowAttrs={(d) => ({ 'data-dispute': d.id, 'data-state': d.state })}
        empty={{
          title: hasValues(filters) ? 'No dispute matches' : `No disputes in “${VIEW_LABEL[view]}”`,
          icon: <InboxIcon />,
          text: hasValues(filters) ? (
            <Stack gap={4} component="span">
              <span>Nothing matches these filters in this view. Search finds dispute ids, order and transaction ids and purchase references exactly as Klarna shows them.</span>
            </Stack>
          ) : (
            'Disputes Klarna opens appear here within moments, with the time left to answer.'
          ),
        }}
      />
    </>
  );
}
