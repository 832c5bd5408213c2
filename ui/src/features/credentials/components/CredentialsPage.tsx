import { Anchor, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { TenantSelect, useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatDate, formatDateTime } from '@/lib/format';
import { hasValues, useUrlState } from '@/lib/urlState';
import { ageText, AGES, INVENTORY_PARAMS, inventoryQuery, KIND_LABEL, KINDS, STATUSES, type Credential } from '../api/credentials';
import { IdCode, StatusBadge, UnusedBadge } from './badges';

/**
 * Every API key and client identifier of every partner the user may see, newest first: filters in
 * the address, age and status, and a warning before Klarna disables a key nobody uses.
 */
export function CredentialsPage() {
  const { tenant } = useTenant();
  const { values: filters, set: setFilters } = useUrlState(INVENTORY_PARAMS);
  const q = useInfiniteQuery(inventoryQuery(filters));
  const list = useInfiniteRows(q);
  const filterError = q.error instanceof ApiError && q.error.fieldErrors.length > 0 ? q.error : undefined;
  // Ages and warnings are as of the server's answer.
  const now = q.data?.pages[0] ? new Date(q.data.pages[0].now).getTime() : q.dataUpdatedAt;
  const partnerLink = (c: Credential) => (tenant.kind === 'acquirer' ? `/partners/${c.tenant_id}?tab=credentials` : '/overview?tab=credentials');

  const columns: DataColumn<Credential>[] = [
    {
      id: 'partner',
      header: 'Partner',
      hideable: false,
      cell: (c) => (
        <Anchor component={Link} to={partnerLink(c)} size="sm" fw={500}>
          {c.tenant_name}
        </Anchor>
      ),
    },
    { id: 'kind', header: 'Kind', cell: (c) => KIND_LABEL[c.kind] },
    {
      id: 'description',
      header: 'Description',
      cell: (c) => (
        <Stack gap={2}>
          <Text size="sm">{c.description || '—'}</Text>
          <UnusedBadge credential={c} now={now} />
        </Stack>
      ),
    },
    { id: 'id', header: 'Id', cell: (c) => <IdCode id={c.kind === 'client_identifier' && c.client_id ? c.client_id : c.credential_id} /> },
    { id: 'status', header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
    { id: 'age', header: 'Age', nowrap: true, cell: (c) => ageText(c.created_at, now) },
    { id: 'created', header: 'Created', hidden: true, cell: (c) => formatDate(c.created_at) },
    { id: 'creator', header: 'Created by', cell: (c) => c.created_by || '—' },
    { id: 'last_used', header: 'Last used', cell: (c) => formatDateTime(c.last_used_at, 'Not reported') },
    { id: 'origins', header: 'Origins', hidden: true, cell: (c) => c.origins.join(', ') || '—' },
  ];

  return (
    <>
      <PageHeader title="Credentials" description="Every partner’s Klarna API keys and client identifiers, as last read from Klarna. Newest first." />
      <FilterBar label="Credential filters" value={filters} onApply={setFilters} cols={{ base: 1, sm: 2, lg: 6 }}>
        {(f, set) => (
          <>
            {tenant.kind === 'acquirer' && (
              <TenantSelect label="Partner" placeholder="All partners" kind="partner" value={f.partner || null} onChange={(v) => set('partner', v)} clearable error={fieldError(filterError, 'tenant')} />
            )}
            <Select label="Kind" placeholder="Any kind" data={KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] }))} value={f.kind ?? null} onChange={(v) => set('kind', v)} clearable />
            <Select label="Status" placeholder="Any status" data={[...STATUSES]} value={f.status ?? null} onChange={(v) => set('status', v)} clearable />
            <Select
              label="Age"
              placeholder="Any age"
              data={AGES.map((d) => ({ value: d, label: `Older than ${d} days` }))}
              value={f.min_age_days ?? null}
              onChange={(v) => set('min_age_days', v)}
              clearable
            />
            <TextInput label="Search" placeholder="id or description" value={f.q ?? ''} onChange={(e) => set('q', e.currentTarget.value)} error={fieldError(filterError, 'q')} />
            <Switch
              mt={30}
              label="About to be disabled for lack of use"
              checked={f.unused === 'true'}
              onChange={(e) => set('unused', e.currentTarget.checked ? 'true' : undefined)}
            />
          </>
        )}
      </FilterBar>
      <DataTable
        id="credentials"
        label="Partner credentials"
        columns={columns}
        rowKey={(c) => `${c.kind}:${c.credential_id}`}
        rowAttrs={(c) => ({ 'data-credential': c.description })}
        {...list}
        error={filterError ? undefined : list.error}
        loadingLabel="Loading credentials"
        nouns={['credential', 'credentials']}
        highlight={(c) => (c.unused_warning ? 'orange' : undefined)}
        minWidth={1000}
        empty={{
          title: 'No credentials',
          icon: <InboxIcon />,
          text: hasValues(filters)
            ? 'Nothing matches these filters. Clear them to see every credential.'
            : 'Credentials appear here once a partner’s Credentials tab has read them from Klarna, or when they are created in Partner Desk.',
        }}
      />
    </>
  );
}
