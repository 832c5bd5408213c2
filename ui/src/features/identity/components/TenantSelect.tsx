import { Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { tenantLookupQuery, tenantSearchQuery, type TenantSummary } from '../api/identity';

type Props = Omit<SelectProps, 'data' | 'value' | 'onChange' | 'searchable' | 'searchValue' | 'onSearchChange' | 'filter'> & {
  /** The chosen tenant's id or slug (see `valueKey`), or null. */
  value: string | null;
  onChange: (value: string | null, tenant: TenantSummary | undefined) => void;
  /** Which field is the value: the id (default) or the slug. */
  valueKey?: 'id' | 'slug';
  /** Only tenants of this kind. */
  kind?: TenantSummary['kind'];
};

/**
 * A searchable tenant picker that asks the server (GET /tenants?q=) instead
 * of listing every partner: it shows the first matches of what is typed,
 * acquirer first, grouped by kind.
 */
export function TenantSelect({ value, onChange, valueKey = 'id', kind, ...rest }: Props) {
  const [search, setSearch] = useState('');
  const current = useQuery({ ...tenantLookupQuery(value ?? ''), enabled: !!value });
  const chosen = current.data ?? undefined;
  // The box shows the chosen tenant's name when closed: that is no search.
  const [q] = useDebouncedValue(chosen && search === chosen.name ? '' : search, 200);
  const results = useQuery({ ...tenantSearchQuery(q), placeholderData: keepPreviousData });
  const items = (results.data?.items ?? []).filter((t) => !kind || t.kind === kind);
  if (chosen && !items.some((t) => t.id === chosen.id)) items.unshift(chosen);
  const byValue = new Map(items.map((t) => [t[valueKey], t]));
  const group = (k: TenantSummary['kind'], label: string) => {
    const list = items.filter((t) => t.kind === k).map((t) => ({ value: t[valueKey], label: t.name }));
    return list.length ? [{ group: label, items: list }] : [];
  };
  return (
    <Select
      {...rest}
      data={[...group('acquirer', 'Acquirer'), ...group('partner', 'Partners')]}
      value={value}
      onChange={(v) => onChange(v, v ? byValue.get(v) : undefined)}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      // The server already matched: show what it answered.
      filter={({ options }) => options}
      nothingFoundMessage={results.isFetching ? 'Searching…' : 'No tenant matches'}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
