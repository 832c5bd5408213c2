import { Button, Code, Drawer, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { fieldError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { TenantSelect, useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatDateTime, localInputToRfc3339 } from '@/lib/format';
import { auditQuery, exportUrl, type AuditEvent, type AuditFilters } from '../api/audit';

interface FormState {
  actor: string;
  action: string;
  tenant: string | null;
  from: string;
  to: string;
}

const EMPTY: FormState = { actor: '', action: '', tenant: null, from: '', to: '' };

function toFilters(f: FormState): AuditFilters {
  return { actor: f.actor, action: f.action, tenant: f.tenant ?? undefined, from: localInputToRfc3339(f.from), to: localInputToRfc3339(f.to) };
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: 'break-word' }}>
        {children}
      </Text>
    </div>
  );
}

/** The audit trail, newest first, with filters, "Load more" and a CSV export. */
export function AuditPage() {
  const { canAnywhere } = useTenant();
  const [form, setForm] = useState<FormState>(EMPTY);
  const [filters, setFilters] = useState<AuditFilters>({});
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const audit = useInfiniteQuery(auditQuery(filters));
  const events = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (k: keyof FormState) => (v: string | null) => setForm((f) => ({ ...f, [k]: v ?? '' }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(toFilters(form));
  };
  const filterError = audit.error instanceof ApiError && audit.error.fieldErrors.length > 0 ? audit.error : undefined;

  return (
    <>
      <Group justify="space-between" align="flex-start">
        <PageHeader title="Audit" description="Who changed what, and when. Newest first." />
        {canAnywhere('audit:export') && (
          <Button component="a" href={exportUrl(filters)} variant="default" download>
            Export CSV
          </Button>
        )}
      </Group>

      <Paper withBorder p="md" radius="md" mb="lg" component="form" onSubmit={apply} aria-label="Audit filters">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }}>
          <TextInput label="Actor" placeholder="email or token name" value={form.actor} onChange={(e) => set('actor')(e.currentTarget.value)} />
          <TextInput
            label="Action"
            placeholder="e.g. user: or auth.login"
            value={form.action}
            onChange={(e) => set('action')(e.currentTarget.value)}
            error={fieldError(filterError, 'action')}
          />
          <TenantSelect label="Tenant" placeholder="All tenants" value={form.tenant || null} onChange={(v) => set('tenant')(v)} clearable error={fieldError(filterError, 'tenant')} />
          <TextInput label="From" type="datetime-local" value={form.from} onChange={(e) => set('from')(e.currentTarget.value)} error={fieldError(filterError, 'from')} />
          <TextInput label="To" type="datetime-local" value={form.to} onChange={(e) => set('to')(e.currentTarget.value)} error={fieldError(filterError, 'to')} />
        </SimpleGrid>
        <Group justify="flex-end" mt="md">
          <Button
            variant="default"
            onClick={() => {
              setForm(EMPTY);
              setFilters({});
            }}
          >
            Clear
          </Button>
          <Button type="submit">Apply filters</Button>
        </Group>
      </Paper>

      {audit.error && !filterError ? (
        <ErrorPanel error={audit.error} onRetry={() => void audit.refetch()} />
      ) : audit.isPending ? (
        <PageLoader label="Loading audit events" />
      ) : events.length === 0 ? (
        <EmptyState title="No audit events" icon={<InboxIcon />}>
          {Object.keys(filters).some((k) => filters[k as keyof AuditFilters])
            ? 'Nothing matches these filters. Clear them to see everything you may audit.'
            : 'Logins and every change made through Partner Desk appear here with who made it, the tenant it concerns and the time.'}
        </EmptyState>
      ) : (
        <Stack>
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={800}>
              <Table verticalSpacing="xs" highlightOnHover aria-label="Audit events">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Actor</Table.Th>
                    <Table.Th>Action</Table.Th>
                    <Table.Th>Tenant</Table.Th>
                    <Table.Th>Target</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {events.map((ev) => (
                    <Table.Tr
                      key={ev.id}
                      onClick={() => setOpen(ev)}
                      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setOpen(ev)}
                      tabIndex={0}
                      style={{ cursor: 'pointer' }}
                      aria-label={`${ev.action} by ${ev.actor_label}, show details`}
                    >
                      <Table.Td>
                        <Text size="sm">{formatDateTime(ev.occurred_at)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{ev.actor_label}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Code>{ev.action}</Code>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{ev.tenant_name || '—'}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {ev.target_type}
                          {ev.target_id ? ` ${ev.target_id}` : ''}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
          <Group justify="center">
            {audit.hasNextPage ? (
              <Button variant="default" onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage}>
                Load more
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                {events.length === 1 ? '1 event' : `${events.length} events`} — that is all.
              </Text>
            )}
          </Group>
        </Stack>
      )}

      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title="Audit event">
        {open && (
          <Stack gap="sm">
            <Detail label="Time">{formatDateTime(open.occurred_at)}</Detail>
            <Detail label="Actor">{open.actor_label}</Detail>
            <Detail label="Action">
              <Code>{open.action}</Code>
            </Detail>
            <Detail label="Tenant">{open.tenant_name || '—'}</Detail>
            <Detail label="Target">
              {open.target_type} <Code>{open.target_id || '—'}</Code>
            </Detail>
            <Detail label="Request id">
              <Code>{open.request_id || '—'}</Code>
            </Detail>
            <Detail label="Client">
              {open.ip || '—'} · {open.user_agent || '—'}
            </Detail>
            <Detail label="Changes">
              {open.diff && Object.keys(open.diff).length > 0 ? (
                <Code block aria-label="Changes (JSON)">
                  {JSON.stringify(open.diff, null, 2)}
                </Code>
              ) : (
                'No recorded changes.'
              )}
            </Detail>
          </Stack>
        )}
      </Drawer>
    </>
  );
}
