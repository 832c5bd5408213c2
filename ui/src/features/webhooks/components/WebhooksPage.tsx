import { Anchor, Badge, Button, Code, Drawer, Group, Paper, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { TenantSelect, tenantLookupQuery, useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatBytes, formatTimestamp, localInputToRfc3339, rfc3339ToLocalInput } from '@/lib/format';
import {
  apiFilter,
  eventBadge,
  eventsQuery,
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  QUARANTINE_REASON,
  quarantineQuery,
  STATUS_FILTERS,
  STATUS_LABEL,
  type InboxFilters,
  type QuarantinedDelivery,
  type StatusFilter,
  type WebhookEvent,
} from '../api/webhooks';
import { ReplayMatchingButton } from './ReplayMatchingButton';
import { StatusBadge } from './StatusBadge';

/** How often the inbox refreshes itself when auto-refresh is on. */
export const AUTO_REFRESH_MS = 5_000;

interface FormState {
  type: string;
  partner: string | null;
  status: string | null;
  from: string;
  to: string;
}

function formOf(f: InboxFilters): FormState {
  return { type: f.type ?? '', partner: f.partner ?? null, status: f.status ?? null, from: rfc3339ToLocalInput(f.from), to: rfc3339ToLocalInput(f.to) };
}

function filtersOf(f: FormState): InboxFilters {
  return {
    type: f.type.trim() || undefined,
    partner: f.partner ?? undefined,
    status: (f.status as StatusFilter | null) ?? undefined,
    from: localInputToRfc3339(f.from),
    to: localInputToRfc3339(f.to),
  };
}

const excerpt = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function FilterForm({ initial, onApply, error }: { initial: InboxFilters; onApply: (f: InboxFilters) => void; error: ApiError | undefined }) {
  const [form, setForm] = useState<FormState>(() => formOf(initial));
  const set = (k: keyof FormState) => (v: string | null) => setForm((f) => ({ ...f, [k]: v }));
  const quarantined = form.status === 'quarantined';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(filtersOf(form));
  };
  return (
    <Paper withBorder p="md" radius="md" mb="lg" component="form" onSubmit={submit} aria-label="Webhook filters">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }}>
        <TextInput
          label="Type"
          placeholder="e.g. payment.dispute."
          value={form.type}
          onChange={(e) => set('type')(e.currentTarget.value)}
          disabled={quarantined}
          error={fieldError(error, 'type')}
        />
        <TenantSelect
          label="Partner"
          placeholder="All partners"
          kind="partner"
          valueKey="slug"
          value={form.partner || null}
          onChange={(v) => set('partner')(v)}
          clearable
          disabled={quarantined}
          error={fieldError(error, 'tenant')}
        />
        <Select
          label="Status"
          placeholder="Any status"
          data={STATUS_FILTERS.map((s) => ({ value: s, label: STATUS_LABEL[s] }))}
          value={form.status}
          onChange={set('status')}
          clearable
          error={fieldError(error, 'status')}
        />
        <TextInput label="From" type="datetime-local" value={form.from} onChange={(e) => set('from')(e.currentTarget.value)} disabled={quarantined} error={fieldError(error, 'from')} />
        <TextInput label="To" type="datetime-local" value={form.to} onChange={(e) => set('to')(e.currentTarget.value)} disabled={quarantined} error={fieldError(error, 'to')} />
      </SimpleGrid>
      <Group justify="space-between" mt="md">
        <Text size="xs" c="dimmed">
          {quarantined ? 'Quarantined deliveries failed verification; they are listed newest first and take no other filter.' : 'Received time, newest first.'}
        </Text>
        <Group>
          <Button
            variant="default"
            onClick={() => {
              setForm(formOf({}));
              onApply({});
            }}
          >
            Clear
          </Button>
          <Button type="submit">Apply filters</Button>
        </Group>
      </Group>
    </Paper>
  );
}

function LoadMore({ count, nouns, hasNext, loading, onMore }: { count: number; nouns: [string, string]; hasNext: boolean; loading: boolean; onMore: () => void }) {
  return (
    <Group justify="center">
      {hasNext ? (
        <Button variant="default" onClick={onMore} loading={loading}>
          Load more
        </Button>
      ) : (
        <Text size="sm" c="dimmed">
          {count === 1 ? `1 ${nouns[0]}` : `${count} ${nouns[1]}`} — that is all.
        </Text>
      )}
    </Group>
  );
}

function EventsTable({ events }: { events: WebhookEvent[] }) {
  const navigate = useNavigate();
  const { search } = useLocation();
  const open = (ev: WebhookEvent) => void navigate(`/webhooks/${ev.id}`, { state: { back: search } });
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer minWidth={1100}>
        <Table verticalSpacing="xs" highlightOnHover aria-label="Webhook events">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Received</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Partner</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th ta="right">Attempts</Table.Th>
              <Table.Th ta="right">Duplicates</Table.Th>
              <Table.Th>Note / last error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {events.map((ev) => (
              <Table.Tr key={ev.id} data-event-id={ev.id} data-status={ev.status} onClick={() => open(ev)} style={{ cursor: 'pointer' }}>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {formatTimestamp(ev.received_at)}
                  </Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Anchor component={Link} to={`/webhooks/${ev.id}`} state={{ back: search }} size="sm" ff="monospace" onClick={(e) => e.stopPropagation()}>
                    {ev.event_type}
                  </Anchor>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Text size="sm">{ev.tenant_name || <Text span c="dimmed" size="sm">{ev.tenant_id ? 'unknown' : '—'}</Text>}</Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <StatusBadge status={eventBadge(ev)} />
                </Table.Td>
                <Table.Td ta="right">{ev.attempts}</Table.Td>
                <Table.Td ta="right">{ev.duplicates > 0 ? <Badge variant="outline" color="gray" size="sm">{ev.duplicates}</Badge> : <Text span size="sm" c="dimmed">0</Text>}</Table.Td>
                <Table.Td maw={360}>
                  {ev.last_error ? (
                    <Text size="sm" c="red" title={ev.last_error} lineClamp={1}>
                      {excerpt(ev.last_error)}
                    </Text>
                  ) : (
                    <Text size="sm" c="dimmed" title={ev.note || undefined} lineClamp={1}>
                      {ev.note ? excerpt(ev.note) : ''}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function QuarantineTable({ items }: { items: QuarantinedDelivery[] }) {
  const [open, setOpen] = useState<QuarantinedDelivery | null>(null);
  return (
    <>
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={1000}>
          <Table verticalSpacing="xs" highlightOnHover aria-label="Quarantined deliveries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Received</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Signing key id</Table.Th>
                <Table.Th>Remote IP</Table.Th>
                <Table.Th ta="right">Body size</Table.Th>
                <Table.Th>Body preview</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((q) => (
                <Table.Tr
                  key={q.id}
                  onClick={() => setOpen(q)}
                  onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setOpen(q)}
                  tabIndex={0}
                  style={{ cursor: 'pointer' }}
                >
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {formatTimestamp(q.received_at)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color="grape" variant="light" size="sm" tt="none">
                      {QUARANTINE_REASON[q.reason] ?? q.reason}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Code>{q.signing_key_id || '—'}</Code>
                  </Table.Td>
                  <Table.Td>{q.remote_ip || '—'}</Table.Td>
                  <Table.Td ta="right">{formatBytes(q.body_size)}</Table.Td>
                  <Table.Td maw={380}>
                    <Text size="xs" ff="monospace" c="dimmed" lineClamp={1}>
                      {excerpt(q.body_preview, 120)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title="Quarantined delivery">
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
    </>
  );
}

/** The inbox of Klarna webhook events (or the quarantine), filters in the address, keyset "Load more", optional auto-refresh. */
export function WebhooksPage() {
  const { canAnywhere } = useTenant();
  const [params, setParams] = useSearchParams();
  const [live, setLive] = useState(false);
  const filters = useMemo(() => filtersFromSearch(params), [params]);
  const quarantined = filters.status === 'quarantined';
  // The partner filter names a slug; the API wants its id (looked up, never a list of all partners).
  const partner = useQuery({ ...tenantLookupQuery(filters.partner ?? ''), enabled: !!filters.partner });
  const tenantIdOf = (slug: string) => (partner.data && (partner.data.slug === slug || partner.data.id === slug) ? partner.data.id : undefined);
  const filter = apiFilter(filters, tenantIdOf);
  const refetchInterval = live ? AUTO_REFRESH_MS : false;
  const events = useInfiniteQuery({ ...eventsQuery(filter), enabled: !quarantined && (!filters.partner || partner.isFetched), refetchInterval });
  const quarantine = useInfiniteQuery({ ...quarantineQuery(), enabled: quarantined, refetchInterval });
  const list = quarantined ? quarantine : events;
  const eventItems = events.data?.pages.flatMap((p) => p.items) ?? [];
  const quarantineItems = quarantine.data?.pages.flatMap((p) => p.items) ?? [];
  const count = quarantined ? quarantineItems.length : eventItems.length;
  const filterError = list.error instanceof ApiError && list.error.fieldErrors.length > 0 ? list.error : undefined;

  const apply = (f: InboxFilters) => setParams((p) => filtersToSearch(f, p));
  // Re-read the form when the address changes (back/forward, a shared link).
  const formKey = ['type', 'partner', 'status', 'from', 'to'].map((k) => params.get(k) ?? '').join('|');

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageHeader title="Webhooks" description="Signed events Klarna sent to Partner Desk, newest first, with their processing state." />
        <Group>
          <Switch label={`Auto-refresh every ${AUTO_REFRESH_MS / 1000} s`} checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
          {canAnywhere('webhook:replay') && !quarantined && (
            <ReplayMatchingButton filters={filters} filter={filter} loaded={eventItems.length} complete={!events.hasNextPage && !events.isPending && !events.error} />
          )}
        </Group>
      </Group>

      <FilterForm key={formKey} initial={filters} onApply={apply} error={filterError} />

      {list.error && !filterError ? (
        <ErrorPanel error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <PageLoader label={quarantined ? 'Loading quarantined deliveries' : 'Loading webhook events'} />
      ) : count === 0 ? (
        quarantined ? (
          <EmptyState title="Nothing in quarantine" icon={<InboxIcon />}>
            Deliveries that fail verification (unknown or retired signing key, bad signature, malformed body) are kept here for inspection. None so far.
          </EmptyState>
        ) : (
          <EmptyState title="No webhook events" icon={<InboxIcon />}>
            {hasFilters(filters)
              ? 'Nothing matches these filters. Clear them to see every event you may see.'
              : 'Events Klarna sends (account changes, disputes, settlement reports) appear here once verified, with their processing state. Check Settings → Webhooks if none arrive.'}
          </EmptyState>
        )
      ) : (
        <Stack>
          {quarantined ? <QuarantineTable items={quarantineItems} /> : <EventsTable events={eventItems} />}
          <LoadMore
            count={count}
            nouns={quarantined ? ['delivery', 'deliveries'] : ['event', 'events']}
            hasNext={Boolean(list.hasNextPage)}
            loading={list.isFetchingNextPage}
            onMore={() => void list.fetchNextPage()}
          />
        </Stack>
      )}
    </>
  );
}
