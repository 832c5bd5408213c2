// /onboarding/drafts/:id — a draft being edited (the wizard), or where its
// submission stands: submitted (attempts, next retry, last error), rejected
// (Klarna's errors on the fields), conflict (Klarna's version beside the
// draft's), succeeded (the partner, watched until OPERATIONAL), failed.
import { Alert, Anchor, Badge, Button, Card, Code, Group, Loader, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmButton } from '@/components/ConfirmButton';
import { ErrorPanel } from '@/components/ErrorPanel';
import { FormError } from '@/components/FormError';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { KlarnaCallsLink } from '@/features/klarnalog';
import { formatDateTime } from '@/lib/format';
import { draftQuery, partnerStateQuery, STATUS_COLOR, STATUS_LABEL, useDiscardDraft, useResolveConflict, useSubmitDraft, type ConflictItem, type Draft } from '../api/onboarding';
import { Wizard } from './Wizard';
import { Fact } from '@/components/Fact';

export function DraftPage() {
  const { id = '' } = useParams();
  const q = useQuery(draftQuery(id));
  const discard = useDiscardDraft();
  const navigate = useNavigate();
  // A new generation re-reads the draft into the wizard (after "Reload" or a settled conflict).
  const [generation, setGeneration] = useState(0);
  const reload = async () => {
    await q.refetch();
    setGeneration((g) => g + 1);
  };

  if (q.isPending) return <PageLoader label="Loading the draft" />;
  if (q.isError) return <ErrorPanel error={q.error} title="Could not load the draft" onRetry={() => void q.refetch()} />;
  const d = q.data;
  const name = d.payload.partner_account_name || 'a new partner';
  const editing = d.status === 'draft' || d.status === 'rejected' || d.status === 'conflict';

  return (
    <>
      <PageHeader
        title={d.kind === 'new' ? `Onboard ${name}` : `Add to ${name}`}
        description={`Last saved ${formatDateTime(d.updated_at)}${d.updated_by ? ` by ${d.updated_by.email}` : ''}`}
      />
      <Group mb="md" mt={-8} justify="space-between">
        <Badge color={STATUS_COLOR[d.status]} variant="light" size="lg" data-testid="draft-status">
          {STATUS_LABEL[d.status]}
        </Badge>
        {d.status !== 'draft' && <KlarnaCallsLink objectKind="onboarding" objectId={d.id} />}
        {editing && (
          <ConfirmButton
            title="Discard this draft?"
            message="Nothing of it has reached Klarna. The draft and what was typed into it are deleted for every admin."
            confirmLabel="Discard the draft"
            loading={discard.isPending}
            onConfirm={() => discard.mutate(d.id, { onSuccess: () => navigate('/onboarding') })}
          >
            Discard draft
          </ConfirmButton>
        )}
      </Group>
      <FormError error={discard.error} fields={[]} />
      {d.status === 'rejected' && (
        <Alert color="red" mb="md" role="alert" title="Klarna refused this onboarding">
          {d.last_error || 'Klarna found problems in the payload.'} Each problem is marked on its field; fix them and submit again.
        </Alert>
      )}
      {d.status === 'conflict' && <ConflictView draft={d} onSettled={() => void reload()} />}
      {editing ? <Wizard key={`${d.id}:${generation}`} draft={d} onReload={() => void reload()} /> : <StatusView draft={d} />}
    </>
  );
}

function StatusView({ draft: d }: { draft: Draft }) {
  const retry = useSubmitDraft(d.id);
  return (
    <Stack>
      {d.status === 'submitted' && (
        <Alert color="blue" title="Sent to Klarna" icon={<Loader size="xs" />}>
          Partner Desk is onboarding this partner at Klarna. A busy or failing Klarna is retried with growing pauses; this page follows along.
        </Alert>
      )}
      {d.status === 'failed' && (
        <Alert color="red" role="alert" title="The onboarding failed">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{d.last_error || 'Klarna could not be reached in time.'}</Text>
            <Button size="xs" onClick={() => retry.mutate(undefined)} loading={retry.isPending}>
              Submit again
            </Button>
            <FormError error={retry.error} fields={[]} />
          </Stack>
        </Alert>
      )}
      {d.status === 'succeeded' && d.tenant_id && <Succeeded draft={d} tenantId={d.tenant_id} />}
      <Card withBorder>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Fact label="Attempts">{d.attempts}</Fact>
          <Fact label="Submitted">{formatDateTime(d.submitted_at)}</Fact>
          {d.status === 'submitted' && <Fact label="Next attempt">{d.next_attempt_at ? formatDateTime(d.next_attempt_at) : 'now'}</Fact>}
          {d.status !== 'submitted' && <Fact label="Finished">{formatDateTime(d.completed_at)}</Fact>}
          {d.last_error && <Fact label="Last error">{d.last_error}</Fact>}
          {d.klarna_account_id && (
            <Fact label="Klarna account">
              <Code>{d.klarna_account_id}</Code>
            </Fact>
          )}
        </SimpleGrid>
      </Card>
    </Stack>
  );
}

const STATE_COLOR: Record<string, string> = { PARTIALLY_OPERATIONAL: 'yellow', OPERATIONAL: 'green', DISABLED: 'red' };

function Succeeded({ draft: d, tenantId }: { draft: Draft; tenantId: string }) {
  const partner = useQuery(partnerStateQuery(tenantId));
  const state = partner.data?.summary.state ?? '';
  const r = d.result;
  return (
    <Alert color="green" title="Onboarded at Klarna">
      <Stack gap="sm">
        <Group gap="xs">
          <Text size="sm">Account state:</Text>
          {state ? (
            <Badge color={STATE_COLOR[state] ?? 'gray'} data-testid="account-state">
              {state}
            </Badge>
          ) : (
            <Loader size="xs" />
          )}
          {state && state !== 'OPERATIONAL' && state !== 'DISABLED' && (
            <Text size="sm" c="dimmed">
              Klarna makes a new account operational within seconds; this updates by itself.
            </Text>
          )}
        </Group>
        <Group>
          <Anchor component={Link} to={`/partners/${tenantId}`}>
            Open the partner’s page
          </Anchor>
          <Anchor component={Link} to={`/onboarding/new?partner=${tenantId}`}>
            Add entities, brands or stores
          </Anchor>
        </Group>
        {r && (
          <Table withTableBorder fz="sm" aria-label="Created at Klarna">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Resource</Table.Th>
                <Table.Th>Reference</Table.Th>
                <Table.Th>Klarna id</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[
                ...r.business_entities.map((x) => ['Business entity', x.reference, x.id]),
                ...r.brands.map((x) => ['Brand', x.reference, x.id]),
                ...r.store_groups.map((x) => ['Store group', x.reference, x.id]),
                ...r.stores.map((x) => ['Store', x.reference, x.id]),
                ...r.payment_accounts.map((x) => ['Payment account', x.payment_account_reference, x.payment_account_id]),
              ].map(([kind, ref, id]) => (
                <Table.Tr key={`${kind}:${ref}`}>
                  <Table.Td>{kind}</Table.Td>
                  <Table.Td>{ref}</Table.Td>
                  <Table.Td>
                    <Code>{id}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Alert>
  );
}

const KIND_LABEL: Record<ConflictItem['kind'], string> = {
  account: 'Account',
  business_entity: 'Business entity',
  brand: 'Brand',
  store_group: 'Store group',
  store: 'Store',
  payment_account: 'Payment account',
};

const show = (v: unknown) => (v === undefined || v === null || v === '' ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Klarna's 409: per resource, what Klarna holds beside what the draft says, and the two ways out. */
export function ConflictView({ draft, onSettled }: { draft: Draft; onSettled: () => void }) {
  return (
    <Stack mb="md">
      <Alert color="orange" role="alert" title="Klarna already holds some of this differently">
        An incremental onboarding must send each existing resource exactly as Klarna has it. For each one below, take Klarna’s version into the draft, or give
        the draft’s resource a new reference so it is created as a new one. Then submit again.
      </Alert>
      {draft.conflict.map((c) => (
        <ConflictCard key={`${c.kind}:${c.reference}`} draftId={draft.id} item={c} onSettled={onSettled} />
      ))}
    </Stack>
  );
}

function ConflictCard({ draftId, item, onSettled }: { draftId: string; item: ConflictItem; onSettled: () => void }) {
  const resolve = useResolveConflict(draftId);
  const [renaming, setRenaming] = useState(false);
  const [newRef, setNewRef] = useState(`${item.reference}-2`);
  const keys = [...new Set([...Object.keys(item.klarna), ...Object.keys(item.payload)])];
  const differs = new Set(item.fields);
  const run = (body: Parameters<typeof resolve.mutate>[0]) => resolve.mutate(body, { onSuccess: onSettled });
  return (
    <Card withBorder role="group" aria-label={`Conflict on ${KIND_LABEL[item.kind]} ${item.reference}`}>
      <Title order={4} mb="xs">
        {KIND_LABEL[item.kind]} <Code>{item.reference}</Code>
      </Title>
      <Table fz="sm" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>At Klarna</Table.Th>
            <Table.Th>In this draft</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => (
            <Table.Tr key={k} bg={differs.has(k) ? 'var(--mantine-color-orange-light)' : undefined} data-differs={differs.has(k) || undefined}>
              <Table.Td>{k}</Table.Td>
              <Table.Td>{show(item.klarna[k])}</Table.Td>
              <Table.Td>{show(item.payload[k])}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group mt="sm" align="flex-end">
        <Button size="xs" onClick={() => run({ kind: item.kind, reference: item.reference, action: 'take_klarna' })} loading={resolve.isPending && !renaming}>
          Take Klarna’s
        </Button>
        {item.kind !== 'account' &&
          (renaming ? (
            <>
              <TextInput size="xs" label="New reference" value={newRef} onChange={(e) => setNewRef(e.currentTarget.value)} error={resolve.error instanceof Error ? resolve.error.message : undefined} />
              <Button size="xs" variant="light" disabled={!newRef.trim()} loading={resolve.isPending} onClick={() => run({ kind: item.kind, reference: item.reference, action: 'rename', new_reference: newRef.trim() })}>
                Rename
              </Button>
            </>
          ) : (
            <Button size="xs" variant="light" onClick={() => setRenaming(true)}>
              Rename reference
            </Button>
          ))}
      </Group>
    </Card>
  );
}
