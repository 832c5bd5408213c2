import { Code, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { FilterBar } from '@/components/FilterBar';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatDateTime } from '@/lib/format';
import { formatSort, hasValues, parseSort, useUrlState } from '@/lib/urlState';
import {
  ACCOUNT_STATES,
  DIRECTORY_PARAMS,
  PRODUCT_STATUSES,
  partnersExportUrl,
  partnersQuery,
  STAGE_LABEL,
  STAGES,
  stateLabel,
  type DirectoryParams,
  type PartnerSummary,
} from '../api/partners';
import { OffboardedBadge, StageBadge, StateBadge, WarningBadges } from './badges';
import { PartnersTabs } from './PartnersTabs';

const count = (n: number) => (
  <Text size="sm" c={n === 0 ? 'dimmed' : undefined}>
    {n}
  </Text>
);

const COLUMNS: DataColumn<PartnerSummary>[] = [
  {
    id: 'name',
    header: 'Name',
    sortable: true,
    hideable: false,
    cell: (p) => (
      <Text size="sm" fw={500}>
        {p.name}
      </Text>
    ),
  },
  { id: 'reference', header: 'Our reference', cell: (p) => <Code>{p.reference || '—'}</Code> },
  { id: 'klarna_account_id', header: 'Klarna account id', cell: (p) => (p.klarna_account_id ? <Code>{p.klarna_account_id}</Code> : <Text size="sm" c="dimmed">not linked</Text>) },
  { id: 'state', header: 'State', sortable: true, nowrap: true, cell: (p) => <StateBadge value={p.state} /> },
  { id: 'product_status', header: 'Payment product', nowrap: true, cell: (p) => <StateBadge value={p.product_status} none="None" /> },
  {
    id: 'onboarding',
    header: 'Onboarding',
    nowrap: true,
    cell: (p) => (
      <Group gap={4} wrap="nowrap">
        <StageBadge stage={p.onboarding_stage} stuck={p.stuck} />
        <OffboardedBadge at={p.offboarded_at} />
      </Group>
    ),
  },
  { id: 'entities', header: 'Entities', align: 'right', cell: (p) => count(p.entity_count) },
  { id: 'brands', header: 'Brands', align: 'right', cell: (p) => count(p.brand_count) },
  { id: 'stores', header: 'Stores', align: 'right', cell: (p) => count(p.store_count) },
  { id: 'payment_accounts', header: 'Payment accounts', align: 'right', cell: (p) => count(p.payment_account_count) },
  { id: 'warnings', header: 'Warnings', cell: (p) => <WarningBadges warnings={p.warnings} /> },
  { id: 'created_at', header: 'Created', sortable: true, sortDescFirst: true, nowrap: true, cell: (p) => <Text size="sm">{formatDateTime(p.created_at)}</Text> },
  { id: 'updated_at', header: 'Last changed', sortable: true, sortDescFirst: true, nowrap: true, cell: (p) => <Text size="sm">{formatDateTime(p.updated_at)}</Text> },
];

type Filters = Pick<DirectoryParams, 'q' | 'state' | 'product_status' | 'onboarding' | 'warning'>;

/** The partner directory: search, filters and sort in the address, keyset "Load more", CSV export. */
export function PartnersPage() {
  const { tenant } = useTenant();
  const store = tenant.kind === 'partner';
  const navigate = useNavigate();
  const { search } = useLocation();
  const { values, set, patch } = useUrlState(DIRECTORY_PARAMS);
  const filters: Filters = { q: values.q, state: values.state, product_status: values.product_status, onboarding: values.onboarding, warning: values.warning };
  const partners = useInfiniteQuery(partnersQuery(values));
  const list = useInfiniteRows(partners);
  const filterError = partners.error instanceof ApiError && partners.error.fieldErrors.length > 0 ? partners.error : undefined;

  return (
    <>
      <PageHeader
        title="Partners"
        description={store ? `${tenant.name} as the partner directory lists it.` : 'Merchants you distribute Klarna to: find any of them by name, reference, Klarna id or e-mail.'}
      />
      <PartnersTabs />

      <FilterBar label="Partner filters" value={filters} onApply={(f) => set({ ...f, sort: values.sort })} cols={{ base: 1, sm: 2, lg: 5 }}>
        {(f, setDraft) => (
          <>
            <TextInput
              label="Search"
              placeholder="Name, our reference, any Klarna id, e-mail"
              value={f.q ?? ''}
              onChange={(e) => setDraft('q', e.currentTarget.value)}
              error={fieldError(filterError, 'q')}
              type="search"
            />
            <Select
              label="State"
              placeholder="Any state"
              data={ACCOUNT_STATES.map((s) => ({ value: s, label: s === 'UNKNOWN' ? 'Unknown (not read yet)' : stateLabel(s) }))}
              value={f.state ?? null}
              onChange={(v) => setDraft('state', v)}
              clearable
              error={fieldError(filterError, 'state')}
            />
            <Select
              label="Product status"
              placeholder="Any product status"
              data={PRODUCT_STATUSES.map((s) => ({ value: s, label: s === 'NONE' ? 'No payment product' : stateLabel(s) }))}
              value={f.product_status ?? null}
              onChange={(v) => setDraft('product_status', v)}
              clearable
              error={fieldError(filterError, 'product_status')}
            />
            <Select
              label="Onboarding"
              placeholder="Any stage"
              data={STAGES.map((s) => ({ value: s, label: STAGE_LABEL[s] }))}
              value={f.onboarding ?? null}
              onChange={(v) => setDraft('onboarding', v)}
              clearable
              error={fieldError(filterError, 'onboarding')}
            />
            <Select
              label="Klarna warning"
              placeholder="Any"
              data={[{ value: 'brand_data_incomplete', label: 'Brand data incomplete' }]}
              value={f.warning ?? null}
              onChange={(v) => setDraft('warning', v)}
              clearable
              error={fieldError(filterError, 'warning')}
            />
          </>
        )}
      </FilterBar>

      <DataTable
        id="partners"
        label="Partners"
        columns={COLUMNS}
        rowKey={(p) => p.tenant_id}
        {...list}
        error={filterError ? undefined : list.error}
        loadingLabel="Loading partners"
        nouns={['partner', 'partners']}
        minWidth={1300}
        sort={parseSort(values.sort)}
        onSortChange={(s) => patch({ sort: formatSort(s) as DirectoryParams['sort'] })}
        exportHref={partnersExportUrl(values)}
        onRowClick={(p) => void navigate(`/partners/${p.tenant_id}`, { state: { back: search } })}
        rowLabel={(p) => `${p.name}, open the partner`}
        rowAttrs={(p) => ({ 'data-partner': p.tenant_slug, 'data-stage': p.onboarding_stage })}
        highlight={(p) => (p.onboarding_stage === 'failed' ? 'red' : p.stuck ? 'orange' : undefined)}
        empty={{
          title: hasValues(filters) ? 'No partner matches' : 'No partners yet',
          icon: <InboxIcon />,
          text: hasValues(filters) ? (
            <Stack gap={4} component="span">
              <span>Nothing matches these filters. Search finds names, our references, contact e-mails and every Klarna id exactly as Klarna shows it.</span>
            </Stack>
          ) : store ? (
            'Your Klarna account appears here once it has been onboarded.'
          ) : (
            'Partners you onboard to Klarna are listed here with their account state, payment product, onboarding stage, entities, brands and stores.'
          ),
        }}
      />
    </>
  );
}
