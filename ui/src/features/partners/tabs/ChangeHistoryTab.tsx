import { Button, Code, Group, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { Fact } from '@/components/Fact';
import { PageLoader } from '@/components/PageLoader';
import { formatDateTime } from '@/lib/format';
import { changesQuery, type ChangeFilter, type PartnerChange } from '../api/changes';
import type { PartnerDetail } from '../api/partners';
import { ChangeError, ChangeStatus } from '../components/ChangeStatus';

const KIND_LABEL: Record<string, string> = {
  account: 'Account',
  business_entity: 'Business entity',
  brand: 'Brand',
  store_group: 'Store group',
  store: 'Store',
  payment_product: 'Payment product',
};

type Json = Record<string, unknown>;

/** Every leaf of a JSON object by its dotted path (`element.logo_url`, `stakeholders[0].roles`). */
export function flatten(v: unknown, path = '', out: Record<string, string> = {}): Record<string, string> {
  if (Array.isArray(v)) {
    if (v.length === 0 && path) out[path] = '[]';
    v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  } else if (v && typeof v === 'object') {
    const entries = Object.entries(v as Json);
    if (entries.length === 0 && path) out[path] = '{}';
    for (const [k, x] of entries) flatten(x, path ? `${path}.${k}` : k, out);
  } else if (path) {
    out[path] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/** The fields a change sets, with what they held before: changed ones first, then those it repeats. */
export function diffRows(before: Json | null | undefined, after: Json): { field: string; before: string; after: string; changed: boolean }[] {
  const b = flatten(before ?? {});
  const a = flatten(after);
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const rows = fields.map((f) => ({ field: f, before: b[f] ?? '', after: a[f] ?? '', changed: (b[f] ?? '') !== (a[f] ?? '') }));
  return [...rows.filter((r) => r.changed), ...rows.filter((r) => !r.changed)];
}

function Diff({ change }: { change: PartnerChange }) {
  const rows = diffRows(change.before, change.payload);
  const changed = rows.filter((r) => r.changed);
  if (rows.length === 0) return <Text size="sm">Nothing to send.</Text>;
  return (
    <Table withTableBorder striped aria-label="Before and after" fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Field</Table.Th>
          <Table.Th>Before</Table.Th>
          <Table.Th>After</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {(changed.length > 0 ? changed : rows).map((r) => (
          <Table.Tr key={r.field}>
            <Table.Td>
              <Code>{r.field}</Code>
            </Table.Td>
            <Table.Td style={{ wordBreak: 'break-all' }}>{change.before ? r.before || '—' : '(new)'}</Table.Td>
            <Table.Td style={{ wordBreak: 'break-all' }}>{r.after || '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function ChangeCard({ tenantId, change }: { tenantId: string; change: PartnerChange }) {
  const [open, setOpen] = useState(false);
  const what = `${KIND_LABEL[change.kind] ?? change.kind} ${change.resource_ref || change.resource_id}`;
  return (
    <Paper withBorder p="sm" component="article" aria-label={`${change.operation} ${what}`}>
      <Group justify="space-between" wrap="nowrap">
        <Stack gap={0}>
          <Text fw={600}>
            {change.operation === 'create' ? 'Create' : change.operation === 'update' ? 'Change' : change.operation} {what}
          </Text>
          <Text size="xs" c="dimmed">
            {formatDateTime(change.created_at)} by {change.requested_by || 'system'}
            {change.attempts > 1 && ` · ${change.attempts} attempts`}
          </Text>
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <ChangeStatus tenantId={tenantId} change={change} />
          <Button size="compact-xs" variant="subtle" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
            {open ? 'Hide' : 'Details'}
          </Button>
        </Group>
      </Group>
      {open && (
        <Stack gap="sm" mt="sm">
          <Diff change={change} />
          <Fact label="Klarna's answer">
            {change.status === 'failed' ? (
              <ChangeError change={change} />
            ) : change.status === 'applied' ? (
              <Stack gap={2}>
                <Text size="sm">Applied {change.applied_at ? formatDateTime(change.applied_at) : ''}</Text>
                {change.result && <Code block>{JSON.stringify(change.result, null, 2)}</Code>}
              </Stack>
            ) : (
              <Text size="sm">{change.error ? `Not yet: ${change.error}` : 'Waiting for Klarna.'}</Text>
            )}
          </Fact>
          {change.resource_id && (
            <Fact label="Klarna id">
              <Code>{change.resource_id}</Code>
            </Fact>
          )}
        </Stack>
      )}
    </Paper>
  );
}

/** The partner page's "Change history" tab: every change pushed to Klarna for this partner, newest first, with who, when, before and after, and Klarna's answer. */
export function ChangeHistoryTab({ detail }: { detail: PartnerDetail }) {
  const tenantId = detail.summary.tenant_id;
  const [filter, setFilter] = useState<ChangeFilter>({});
  const all = useQuery(changesQuery(tenantId));
  const shown = useQuery(changesQuery(tenantId, filter));
  if (all.error || shown.error) return <ErrorPanel error={all.error ?? shown.error} onRetry={() => void shown.refetch()} />;
  if (!all.data || !shown.data) return <PageLoader />;
  const kinds = [...new Set(all.data.items.map((c) => c.kind))];
  const resources = new Map<string, string>();
  for (const c of all.data.items) {
    if (filter.kind && c.kind !== filter.kind) continue;
    const key = c.resource_id || c.resource_ref;
    if (key && !resources.has(key)) resources.set(key, `${KIND_LABEL[c.kind] ?? c.kind} ${c.resource_ref || c.resource_id}`);
  }
  if (all.data.items.length === 0) {
    return <EmptyState title="No changes yet">Every change made to this partner’s data at Klarna shows here: who made it, when, what it changed and Klarna’s answer.</EmptyState>;
  }
  return (
    <Stack>
      <Group>
        <Select
          label="Kind"
          placeholder="All kinds"
          clearable
          data={kinds.map((k) => ({ value: k, label: KIND_LABEL[k] ?? k }))}
          value={filter.kind ?? null}
          onChange={(v) => setFilter({ kind: v ?? undefined })}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Resource"
          placeholder="All resources"
          clearable
          searchable
          data={[...resources].map(([value, label]) => ({ value, label }))}
          value={filter.resource ?? null}
          onChange={(v) => setFilter((f) => ({ ...f, resource: v ?? undefined }))}
          comboboxProps={{ withinPortal: true }}
          w={360}
        />
      </Group>
      {shown.data.items.length === 0 && <Text c="dimmed">No change matches.</Text>}
      {shown.data.items.map((c) => (
        <ChangeCard key={c.id} tenantId={tenantId} change={c} />
      ))}
    </Stack>
  );
}
