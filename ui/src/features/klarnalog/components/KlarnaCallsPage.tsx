import { Badge, Code, Drawer, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { Fact } from '@/components/Fact';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { TenantSelect, tenantLookupQuery } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatTimestamp, localInputToRfc3339, rfc3339ToLocalInput } from '@/lib/format';
import { usePhone } from '@/lib/phone';
import { hasValues, useUrlState } from '@/lib/urlState';
import { apiCallFilter, CALL_FILTERS, klarnaCallsQuery, OUTCOME_COLOR, OUTCOME_FILTERS, OUTCOME_LABEL, type KlarnaCall } from '../api/klarnalog';

function OutcomeBadge({ call }: { call: KlarnaCall }) {
  return (
    <Badge color={OUTCOME_COLOR[call.outcome] ?? 'gray'} variant="light" size="sm" tt="none" data-outcome={call.outcome}>
      {call.status ? `${call.status} ` : ''}
      {OUTCOME_LABEL[call.outcome] ?? call.outcome}
    </Badge>
  );
}

const latency = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/** Klarna's error, shortest form: its code and first message. */
function errorSummary(c: KlarnaCall): string {
  return [c.error_code, c.error_messages[0]].filter(Boolean).join(': ');
}

const partnerCell = (c: KlarnaCall) =>
  c.tenant_name ? (
    <Text size="sm">{c.tenant_name}</Text>
  ) : (
    <Text size="sm" c="dimmed">
      {c.partner_account_id ? 'unlinked account' : 'acquirer'}
    </Text>
  );

const COLUMNS: DataColumn<KlarnaCall>[] = [
  { id: 'at', header: 'Time', hideable: false, nowrap: true, cell: (c) => <Text size="sm">{formatTimestamp(c.at)}</Text> },
  {
    id: 'operation',
    header: 'Operation',
    maw: 300,
    cell: (c) => (
      <Stack gap={0}>
        <Code>{c.operation}</Code>
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {c.method} {c.path}
        </Text>
      </Stack>
    ),
  },
  { id: 'partner', header: 'Partner', nowrap: true, cell: partnerCell },
  {
    id: 'object',
    header: 'Object',
    maw: 260,
    cell: (c) =>
      c.object_kind ? (
        <Text size="sm" miw={160} style={{ overflowWrap: 'anywhere' }}>
          {c.object_kind} <Text span size="xs" ff="monospace" c="dimmed">{c.object_id}</Text>
        </Text>
      ) : (
        <Text size="sm" c="dimmed">—</Text>
      ),
  },
  { id: 'outcome', header: 'Status', nowrap: true, cell: (c) => <OutcomeBadge call={c} /> },
  { id: 'latency', header: 'Latency', align: 'right', nowrap: true, cell: (c) => latency(c.duration_ms) },
  { id: 'attempts', header: 'Attempts', align: 'right', cell: (c) => c.attempts },
  {
    id: 'error',
    header: 'Klarna error',
    maw: 320,
    cell: (c) => (
      <Text size="sm" c="red" lineClamp={1} title={errorSummary(c) || undefined}>
        {errorSummary(c)}
      </Text>
    ),
  },
  { id: 'correlation', header: 'Correlation id', hidden: true, cell: (c) => <Code>{c.klarna_correlation_id || c.correlation_id}</Code> },
];

/** At phone width: the time, the call with its outcome, and the partner, stacked. */
const PHONE_COLUMNS: DataColumn<KlarnaCall>[] = [
  {
    id: 'call',
    header: 'Call',
    hideable: false,
    cell: (c) => (
      <Stack gap={2}>
        <Group gap={6} wrap="wrap">
          <Code>{c.operation}</Code>
          <OutcomeBadge call={c} />
        </Group>
        <Text size="xs" c="dimmed">
          {formatTimestamp(c.at)} · {latency(c.duration_ms)}
          {c.attempts > 1 ? ` · ${c.attempts} attempts` : ''}
        </Text>
        {c.tenant_name && <Text size="xs">{c.tenant_name}</Text>}
        {errorSummary(c) && (
          <Text size="xs" c="red" lineClamp={2}>
            {errorSummary(c)}
          </Text>
        )}
      </Stack>
    ),
  },
];

function CallDrawer({ call, onClose }: { call: KlarnaCall | null; onClose: () => void }) {
  return (
    <Drawer opened={call !== null} onClose={onClose} position="right" size="lg" title="Klarna call">
      {call && (
        <Stack gap="sm">
          <Fact label="Operation">
            <Code>{call.operation}</Code>
          </Fact>
          <Fact label="Request">
            <Code style={{ overflowWrap: 'anywhere' }}>
              {call.method} {call.path}
            </Code>{' '}
            <Text span size="xs" c="dimmed">
              ({call.host})
            </Text>
          </Fact>
          <Fact label="Time">{formatTimestamp(call.at)}</Fact>
          <Fact label="Outcome">
            <OutcomeBadge call={call} /> after {latency(call.duration_ms)}, {call.attempts} {call.attempts === 1 ? 'attempt' : 'attempts'}
          </Fact>
          <Fact label="Partner">
            {call.tenant_name ?? (call.partner_account_id ? 'An account no partner holds' : 'The acquirer')}
            {call.partner_account_id && (
              <Text size="xs" ff="monospace" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                {call.partner_account_id}
              </Text>
            )}
          </Fact>
          <Fact label="Object">
            {call.object_kind ? (
              <>
                {call.object_kind} <Code style={{ overflowWrap: 'anywhere' }}>{call.object_id || '—'}</Code>
              </>
            ) : (
              '—'
            )}
          </Fact>
          <Fact label="Idempotency key">
            <Code>{call.idempotency_key || '—'}</Code>
          </Fact>
          <Fact label="Our correlation id">
            <Code>{call.correlation_id || '—'}</Code>
          </Fact>
          <Fact label="Klarna's correlation id">
            <Code>{call.klarna_correlation_id || '—'}</Code>
          </Fact>
          {(call.error_code || call.error_messages.length > 0) && (
            <Fact label="Klarna's error">
              <Text size="sm">
                {[call.error_type, call.error_code].filter(Boolean).join(' · ') || '—'}
                {call.error_id && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (error_id <Code>{call.error_id}</Code>)
                  </Text>
                )}
              </Text>
              <Stack gap={2} mt={4} component="ul" style={{ margin: 0, paddingLeft: '1.2em' }} aria-label="Error messages">
                {call.error_messages.map((m, i) => (
                  <Text key={i} size="sm" component="li" style={{ overflowWrap: 'anywhere' }}>
                    {m}
                  </Text>
                ))}
              </Stack>
            </Fact>
          )}
        </Stack>
      )}
    </Drawer>
  );
}

/** The Klarna call log: every call Partner Desk made to Klarna, newest first, filters in the address. */
export function KlarnaCallsPage() {
  const phone = usePhone();
  const { values: filters, set: setFilters } = useUrlState(CALL_FILTERS);
  const [open, setOpen] = useState<KlarnaCall | null>(null);
  // The partner filter names a slug (or id); the API wants the id, looked up (never a list of all partners).
  const partner = useQuery({ ...tenantLookupQuery(filters.partner ?? ''), enabled: !!filters.partner });
  const tenantIdOf = (slug: string) => (partner.data && (partner.data.slug === slug || partner.data.id === slug) ? partner.data.id : undefined);
  const filter = apiCallFilter(filters, tenantIdOf);
  const calls = useInfiniteQuery({ ...klarnaCallsQuery(filter), enabled: !filters.partner || partner.isFetched });
  const list = useInfiniteRows(calls);
  const filterError = calls.error instanceof ApiError && calls.error.fieldErrors.length > 0 ? calls.error : undefined;
  const retention = calls.data?.pages[0]?.retention_days;

  return (
    <>
      <PageHeader
        title="Klarna calls"
        description={`Every call Partner Desk made to Klarna, newest first: operation, partner, object, status, latency, attempts and Klarna's error.${retention ? ` Kept ${retention} days.` : ''}`}
      />

      <FilterBar label="Klarna call filters" value={filters} onApply={setFilters} cols={{ base: 1, sm: 2, lg: 4 }} note="No request bodies, keys or personal data are kept.">
        {(f, set) => (
          <>
            <TextInput label="Operation" placeholder="e.g. update_brand" value={f.operation ?? ''} onChange={(e) => set('operation', e.currentTarget.value)} error={fieldError(filterError, 'operation')} />
            <TenantSelect
              label="Partner"
              placeholder="All partners"
              kind="partner"
              valueKey="slug"
              value={f.partner || null}
              onChange={(v) => set('partner', v)}
              clearable
              error={fieldError(filterError, 'tenant')}
            />
            <Select
              label="Outcome"
              placeholder="Any outcome"
              data={OUTCOME_FILTERS.map((o) => ({ value: o, label: OUTCOME_LABEL[o] }))}
              value={f.outcome ?? null}
              onChange={(v) => set('outcome', v)}
              clearable
              error={fieldError(filterError, 'outcome')}
            />
            <TextInput
              label="Correlation id or idempotency key"
              value={f.q ?? ''}
              onChange={(e) => set('q', e.currentTarget.value)}
              error={fieldError(filterError, 'q')}
            />
            <TextInput
              label="Object kind"
              placeholder="e.g. brand, dispute, onboarding"
              value={f.object_kind ?? ''}
              onChange={(e) => set('object_kind', e.currentTarget.value)}
              error={fieldError(filterError, 'object_kind')}
            />
            <TextInput label="Object id" value={f.object_id ?? ''} onChange={(e) => set('object_id', e.currentTarget.value)} error={fieldError(filterError, 'object_id')} />
            <TextInput
              label="From"
              type="datetime-local"
              value={rfc3339ToLocalInput(f.from)}
              onChange={(e) => set('from', localInputToRfc3339(e.currentTarget.value))}
              error={fieldError(filterError, 'from')}
            />
            <TextInput
              label="To"
              type="datetime-local"
              value={rfc3339ToLocalInput(f.to)}
              onChange={(e) => set('to', localInputToRfc3339(e.currentTarget.value))}
              error={fieldError(filterError, 'to')}
            />
          </>
        )}
      </FilterBar>

      <DataTable
        id={phone ? 'klarna-calls-phone' : 'klarna-calls'}
        label="Klarna calls"
        columns={phone ? PHONE_COLUMNS : COLUMNS}
        columnChoice={!phone}
        rowKey={(c) => String(c.id)}
        {...list}
        error={filterError ? undefined : list.error}
        minWidth={phone ? 280 : 1100}
        loadingLabel="Loading Klarna calls"
        nouns={['call', 'calls']}
        onRowClick={setOpen}
        rowLabel={(c) => `${c.operation} at ${formatTimestamp(c.at)}, show details`}
        rowAttrs={(c) => ({ 'data-call-id': String(c.id), 'data-outcome': c.outcome })}
        highlight={(c) => (c.outcome === 'server_error' || c.outcome === 'network_error' ? 'red' : c.outcome === 'rate_limited' ? 'yellow' : undefined)}
        empty={{
          title: 'No Klarna calls',
          icon: <InboxIcon />,
          text: hasValues(filters)
            ? 'Nothing matches these filters. Clear them to see every call you may see.'
            : 'Calls to Klarna (onboarding, account changes, disputes, settlements, credentials) appear here as Partner Desk makes them.',
        }}
      />
      <CallDrawer call={open} onClose={() => setOpen(null)} />
    </>
  );
}
