import { Code, Drawer, Stack, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { TenantSelect, useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatDateTime, localInputToRfc3339, rfc3339ToLocalInput } from '@/lib/format';
import { hasValues, useUrlState } from '@/lib/urlState';
import { auditQuery, exportUrl, type AuditEvent } from '../api/audit';
import { Fact } from '@/components/Fact';

// `tenant` in the address is the tenant switcher's; the audit's tenant filter is `of_tenant` there.
const FILTERS = { actor: 'text', action: 'text', of_tenant: 'text', from: 'text', to: 'text' } as const;

const COLUMNS: DataColumn<AuditEvent>[] = [
  { id: 'time', header: 'Time', hideable: false, nowrap: true, cell: (ev) => <Text size="sm">{formatDateTime(ev.occurred_at)}</Text> },
  { id: 'actor', header: 'Actor', cell: (ev) => <Text size="sm">{ev.actor_label}</Text> },
  { id: 'action', header: 'Action', cell: (ev) => <Code>{ev.action}</Code> },
  { id: 'tenant', header: 'Tenant', cell: (ev) => <Text size="sm">{ev.tenant_name || '—'}</Text> },
  {
    id: 'target',
    header: 'Target',
    cell: (ev) => (
      <Text size="sm" c="dimmed">
        {ev.target_type}
        {ev.target_id ? ` ${ev.target_id}` : ''}
      </Text>
    ),
  },
  { id: 'request', header: 'Request id', hidden: true, cell: (ev) => <Code>{ev.request_id || '—'}</Code> },
];

/** The audit trail, newest first, with filters in the address, "Load more" and a CSV export. */
export function AuditPage() {
  const { canAnywhere } = useTenant();
  const { values: filters, set: setFilters } = useUrlState(FILTERS);
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const { of_tenant: tenantFilter, ...rest } = filters;
  const apiFilters = { ...rest, tenant: tenantFilter };
  const audit = useInfiniteQuery(auditQuery(apiFilters));
  const list = useInfiniteRows(audit);
  const filterError = audit.error instanceof ApiError && audit.error.fieldErrors.length > 0 ? audit.error : undefined;

  return (
    <>
      <PageHeader title="Audit" description="Who changed what, and when. Newest first." />

      <FilterBar label="Audit filters" value={filters} onApply={setFilters}>
        {(f, set) => (
          <>
            <TextInput label="Actor" placeholder="email or token name" value={f.actor ?? ''} onChange={(e) => set('actor', e.currentTarget.value)} />
            <TextInput
              label="Action"
              placeholder="e.g. user: or auth.login"
              value={f.action ?? ''}
              onChange={(e) => set('action', e.currentTarget.value)}
              error={fieldError(filterError, 'action')}
            />
            <TenantSelect label="Tenant" placeholder="All tenants" value={f.of_tenant || null} onChange={(v) => set('of_tenant', v)} clearable error={fieldError(filterError, 'tenant')} />
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
        id="audit"
        label="Audit events"
        columns={COLUMNS}
        rowKey={(ev) => String(ev.id)}
        {...list}
        error={filterError ? undefined : list.error}
        loadingLabel="Loading audit events"
        nouns={['event', 'events']}
        exportHref={canAnywhere('audit:export') ? exportUrl(apiFilters) : undefined}
        onRowClick={setOpen}
        rowLabel={(ev) => `${ev.action} by ${ev.actor_label}, show details`}
        empty={{
          title: 'No audit events',
          icon: <InboxIcon />,
          text: hasValues(filters)
            ? 'Nothing matches these filters. Clear them to see everything you may audit.'
            : 'Logins and every change made through Partner Desk appear here with who made it, the tenant it concerns and the time.',
        }}
      />

      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title="Audit event">
        {open && (
          <Stack gap="sm">
            <Fact label="Time">{formatDateTime(open.occurred_at)}</Fact>
            <Fact label="Actor">{open.actor_label}</Fact>
            <Fact label="Action">
              <Code>{open.action}</Code>
            </Fact>
            <Fact label="Tenant">{open.tenant_name || '—'}</Fact>
            <Fact label="Target">
              {open.target_type} <Code>{open.target_id || '—'}</Code>
            </Fact>
            <Fact label="Request id">
              <Code>{open.request_id || '—'}</Code>
            </Fact>
            <Fact label="Client">
              {open.ip || '—'} · {open.user_agent || '—'}
            </Fact>
            <Fact label="Changes">
              {open.diff && Object.keys(open.diff).length > 0 ? (
                <Code block aria-label="Changes (JSON)">
                  {JSON.stringify(open.diff, null, 2)}
                </Code>
              ) : (
                'No recorded changes.'
              )}
            </Fact>
          </Stack>
        )}
      </Drawer>
    </>
  );
}
