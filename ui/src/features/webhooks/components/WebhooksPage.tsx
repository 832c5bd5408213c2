import { Anchor, Badge, Code, Drawer, Group, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { TenantSelect, tenantLookupQuery, useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatBytes, formatTimestamp, localInputToRfc3339, rfc3339ToLocalInput } from '@/lib/format';
import { hasValues, useUrlState } from '@/lib/urlState';
import { apiFilter, eventBadge, eventsQuery, INBOX_FILTERS, QUARANTINE_REASON, quarantineQuery, STATUS_FILTERS, STATUS_LABEL, type QuarantinedDelivery, type WebhookEvent } from '../api/webhooks';
import { ReplayMatchingButton } from './ReplayMatchingButton';
import { StatusBadge } from './StatusBadge';

/** How often the inbox refreshes itself when auto-refresh is on. */
export const AUTO_REFRESH_MS = 5_000;

const excerpt = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The event's type as a link to it; going back returns to this view of the inbox. */
function EventLink({ ev }: { ev: WebhookEvent }) {
  const { search } = useLocation();
  return (
    <Anchor component={Link} to={`/webhooks/${ev.id}`} state={{ back: search }} size="sm" ff="monospace" onClick={(e) => e.stopPropagation()}>
      {ev.event_type}
    </Anchor>
  );
}

const EVENT_COLUMNS: DataColumn<WebhookEvent>[] = [
  { id: 'received', header: 'Received', hideable: false, nowrap: true, cell: (ev) => <Text size="sm">{formatTimestamp(ev.received_at)}</Text> },
  {
    id: 'type',
    header: 'Type',
    nowrap: true,
    cell: (ev) => <EventLink ev={ev} />,
  },
  {
    id: 'partner',
    header: 'Partner',
    nowrap: true,
    cell: (ev) => <Text size="sm">{ev.tenant_name || <Text span c="dimmed" size="sm">{ev.tenant_id ? 'unknown' : '—'}</Text>}</Text>,
  },
  { id: 'status', header: 'Status', nowrap: true, cell: (ev) => <StatusBadge status={eventBadge(ev)} /> },
  { id: 'attempts', header: 'Attempts', align: 'right', cell: (ev) => ev.attempts },
  {
    id: 'duplicates',
    header: 'Duplicates',
    align: 'right',
    cell: (ev) => (ev.duplicates > 0 ? <Badge variant="outline" color="gray" size="sm">{ev.duplicates}</Badge> : <Text span size="sm" c="dimmed">0</Text>),
  },
  {
    id: 'note',
    header: 'Note / last error',
    maw: 360,
    cell: (ev) =>
      ev.last_error ? (
        <Text size="sm" c="red" title={ev.last_error} lineClamp={1}>
          {excerpt(ev.last_error)}
        </Text>
      ) : (
        <Text size="sm" c="dimmed" title={ev.note || undefined} lineClamp={1}>
          {ev.note ? excerpt(ev.note) : ''}
        </Text>
      ),
  },
];

const QUARANTINE_COLUMNS: DataColumn<QuarantinedDelivery>[] = [
  { id: 'received', header: 'Received', hideable: false, nowrap: true, cell: (q) => <Text size="sm">{formatTimestamp(q.received_at)}</Text> },
  {
    id: 'reason',
    header: 'Reason',
    cell: (q) => (
      <Badge color="grape" variant="light" size="sm" tt="none">
        {QUARANTINE_REASON[q.reason] ?? q.reason}
      </Badge>
    ),
  },
  { id: 'key', header: 'Signing key id', cell: (q) => <Code>{q.signing_key_id || '—'}</Code> },
  { id: 'ip', header: 'Remote IP', cell: (q) => q.remote_ip || '—' },
  { id: 'size', header: 'Body size', align: 'right', cell: (q) => formatBytes(q.body_size) },
  {
    id: 'preview',
    header: 'Body preview',
    maw: 380,
    cell: (q) => (
      <Text size="xs" ff="monospace" c="dimmed" lineClamp={1}>
        {excerpt(q.body_preview, 120)}
      </Text>
    ),
  },
];

function QuarantineDrawer({ open, onClose }: { open: QuarantinedDelivery | null; onClose: () => void }) {
  return (
    <Drawer opened={open !== null} onClose={onClose} position="right" size="lg" title="Quarantined delivery">
      {open && (
        <Stack gap="sm">
          <Text size="sm">
            Received {formatTimestamp(open.received_at)} from {open.remote_ip || 'an unknown address'}; refused: <b>{QUARANTINE_REASON[open.reason] ?? open.reason}</b>.
          </Text>
          <Text size="sm">
            Signing key id: <Code>{open.signing_key_id || '—'}</Code> · {formatBytes(open.body_size)}
          </Text>
          <Text size="xs" c="dimmed">
            First 2 KB of the body, as received. It was never trusted or processed.
          </Text>
          <Code block aria-label="Body preview">
            {open.body_preview}
          </Code>
        </Stack>
      )}
    </Drawer>
  );
}

/** The inbox of Klarna webhook events (or the quarantine), filters in the address, keyset "Load more", optional auto-refresh. */
export function WebhooksPage() {
  const { canAnywhere } = useTenant();
  const navigate = useNavigate();
  const { search } = useLocation();
  const [live, setLive] = useState(false);
  const [openDelivery, setOpenDelivery] = useState<QuarantinedDelivery | null>(null);
  const { values: filters, set: setFilters } = useUrlState(INBOX_FILTERS);
  const quarantined = filters.status === 'quarantined';
  // The partner filter names a slug; the API wants its id (looked up, never a list of all partners).
  const partner = useQuery({ ...tenantLookupQuery(filters.partner ?? ''), enabled: !!filters.partner });
  const tenantIdOf = (slug: string) => (partner.data && (partner.data.slug === slug || partner.data.id === slug) ? partner.data.id : undefined);
  const filter = apiFilter(filters, tenantIdOf);
  const refetchInterval = live ? AUTO_REFRESH_MS : false;
  const events = useInfiniteQuery({ ...eventsQuery(filter), enabled: !quarantined && (!filters.partner || partner.isFetched), refetchInterval });
  const quarantine = useInfiniteQuery({ ...quarantineQuery(), enabled: quarantined, refetchInterval });
  const eventList = useInfiniteRows(events);
  const quarantineList = useInfiniteRows(quarantine);
  const error = (quarantined ? quarantine : events).error;
  const filterError = error instanceof ApiError && error.fieldErrors.length > 0 ? error : undefined;

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageHeader title="Webhooks" description="Signed events Klarna sent to Partner Desk, newest first, with their processing state." />
        <Group>
          <Switch label={`Auto-refresh every ${AUTO_REFRESH_MS / 1000} s`} checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
          {canAnywhere('webhook:replay') && !quarantined && (
            <ReplayMatchingButton filters={filters} filter={filter} loaded={eventList.rows.length} complete={!events.hasNextPage && !events.isPending && !events.error} />
          )}
        </Group>
      </Group>

      <FilterBar
        label="Webhook filters"
        value={filters}
        onApply={setFilters}
        note={(f) =>
          f.status === 'quarantined' ? 'Quarantined deliveries failed verification; they are listed newest first and take no other filter.' : 'Received time, newest first.'
        }
      >
        {(f, set) => {
          const q = f.status === 'quarantined';
          return (
            <>
              <TextInput
                label="Type"
                placeholder="e.g. payment.dispute."
                value={f.type ?? ''}
                onChange={(e) => set('type', e.currentTarget.value)}
                disabled={q}
                error={fieldError(filterError, 'type')}
              />
              <TenantSelect
                label="Partner"
                placeholder="All partners"
                kind="partner"
                valueKey="slug"
                value={f.partner || null}
                onChange={(v) => set('partner', v)}
                clearable
                disabled={q}
                error={fieldError(filterError, 'tenant')}
              />
              <Select
                label="Status"
                placeholder="Any status"
                data={STATUS_FILTERS.map((st) => ({ value: st, label: STATUS_LABEL[st] }))}
                value={f.status ?? null}
                onChange={(v) => set('status', v)}
                clearable
                error={fieldError(filterError, 'status')}
              />
              <TextInput
                label="From"
                type="datetime-local"
                value={rfc3339ToLocalInput(f.from)}
                onChange={(e) => set('from', localInputToRfc3339(e.currentTarget.value))}
                disabled={q}
                error={fieldError(filterError, 'from')}
              />
              <TextInput
                label="To"
                type="datetime-local"
                value={rfc3339ToLocalInput(f.to)}
                onChange={(e) => set('to', localInputToRfc3339(e.currentTarget.value))}
                disabled={q}
                error={fieldError(filterError, 'to')}
              />
            </>
          );
        }}
      </FilterBar>

      {quarantined ? (
        <DataTable
          id="webhooks-quarantine"
          label="Quarantined deliveries"
          columns={QUARANTINE_COLUMNS}
          rowKey={(q) => String(q.id)}
          {...quarantineList}
          error={filterError ? undefined : quarantineList.error}
          minWidth={1000}
          loadingLabel="Loading quarantined deliveries"
          nouns={['delivery', 'deliveries']}
          onRowClick={setOpenDelivery}
          empty={{
            title: 'Nothing in quarantine',
            icon: <InboxIcon />,
            text: 'Deliveries that fail verification (unknown or retired signing key, bad signature, malformed body) are kept here for inspection. None so far.',
          }}
        />
      ) : (
        <DataTable
          id="webhooks"
          label="Webhook events"
          columns={EVENT_COLUMNS}
          rowKey={(ev) => String(ev.id)}
          {...eventList}
          error={filterError ? undefined : eventList.error}
          minWidth={1100}
          loadingLabel="Loading webhook events"
          nouns={['event', 'events']}
          onRowClick={(ev) => void navigate(`/webhooks/${ev.id}`, { state: { back: search } })}
          rowAttrs={(ev) => ({ 'data-event-id': String(ev.id), 'data-status': ev.status })}
          empty={{
            title: 'No webhook events',
            icon: <InboxIcon />,
            text: hasValues(filters)
              ? 'Nothing matches these filters. Clear them to see every event you may see.'
              : 'Events Klarna sends (account changes, disputes, settlement reports) appear here once verified, with their processing state. Check Settings → Webhooks if none arrive.',
          }}
        />
      )}
      <QuarantineDrawer open={openDelivery} onClose={() => setOpenDelivery(null)} />
    </>
  );
}
