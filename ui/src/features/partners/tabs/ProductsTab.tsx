import { Alert, Anchor, Badge, Button, Code, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { formatDateTime } from '@/lib/format';
import { changesQuery } from '../api/changes';
import type { PartnerDetail } from '../api/partners';
import { awaitingKlarna, paymentProductQuery, type PaymentProductEvent, type PaymentProductView, type ProductOperation } from '../api/products';
import { StateBadge } from '../components/badges';
import { ChangeStatus } from '../components/ChangeStatus';
import { ProductChangeModal } from './ProductChangeModal';

const SOURCE_LABEL: Record<PaymentProductEvent['source'], string> = {
  partner_desk: 'Asked in Partner Desk',
  webhook: 'Klarna webhook',
  sync: 'Read from Klarna',
};

/** What a history row says happened. */
function eventText(e: PaymentProductEvent): string {
  if (e.kind === 'request') return e.status === 'DISABLED' ? 'Disable requested' : e.status === 'ENABLED' ? 'Enable requested' : `${e.status} requested`;
  return e.previous_status ? `${e.previous_status} → ${e.status}` : e.status;
}

function History({ history }: { history: PaymentProductEvent[] }) {
  if (history.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No status change recorded yet.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Payment product history" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Seen in</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {history.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.occurred_at)}</Table.Td>
              <Table.Td>
                {e.kind === 'status' ? (
                  <Group gap={4} wrap="nowrap">
                    {e.previous_status && <StateBadge value={e.previous_status} />}
                    {e.previous_status && <Text span>→</Text>}
                    <StateBadge value={e.status} />
                  </Group>
                ) : (
                  <Group gap={4}>
                    <Text size="sm">{eventText(e)}</Text>
                    {!e.fulfilled_at && (
                      <Badge size="xs" variant="outline" color="blue" tt="none">
                        not shown by Klarna yet
                      </Badge>
                    )}
                  </Group>
                )}
              </Table.Td>
              <Table.Td>{SOURCE_LABEL[e.source]}</Table.Td>
              <Table.Td>{e.actor || (e.kind === 'status' ? 'Klarna' : '—')}</Table.Td>
              <Table.Td>{e.reason || '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function PaymentAccounts({ detail, view }: { detail: PartnerDetail; view: PaymentProductView }) {
  const { can } = useTenant();
  const accounts = view.product?.payment_accounts ?? [];
  const entityName = (id: string, ref: string) => detail.business_entities.find((e) => e.id === id || (ref && e.reference === ref))?.legal_name ?? (ref || id || '—');
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label="Payment accounts">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          Payment accounts
        </Title>
        {can('partner:onboard') && !view.offboarded && (
          <Button component={Link} to={`/onboarding/new?partner=${encodeURIComponent(detail.summary.tenant_id)}&step=payment`} variant="default" size="xs">
            Add payment account
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        Read-only: Klarna makes every property of a payment account immutable once it exists, so none of them can be edited. To use another business entity, merchant
        category code, store group or acquiring account, add a new payment account. Its status follows the payment product&apos;s.
      </Text>
      {accounts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No payment accounts yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table aria-label="Payment accounts of the payment product" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Reference</Table.Th>
                <Table.Th>Klarna id</Table.Th>
                <Table.Th>Business entity</Table.Th>
                <Table.Th>Default MCC</Table.Th>
                <Table.Th>Default store group</Table.Th>
                <Table.Th>Acquiring account</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {accounts.map((a) => (
                <Table.Tr key={a.id || a.reference}>
                  <Table.Td>{a.reference || '—'}</Table.Td>
                  <Table.Td>
                    <Code style={{ wordBreak: 'break-all' }}>{a.id || '—'}</Code>
                  </Table.Td>
                  <Table.Td>{entityName(a.business_entity_id, a.business_entity_reference)}</Table.Td>
                  <Table.Td>{a.merchant_category_code || '—'}</Table.Td>
                  <Table.Td>{a.default_store_group_reference || a.default_store_group_id || '—'}</Table.Td>
                  <Table.Td>{a.acquiring_account_id ? <Code style={{ wordBreak: 'break-all' }}>{a.acquiring_account_id}</Code> : '—'}</Table.Td>
                  <Table.Td>{a.status ? <StateBadge value={a.status} /> : '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

/** The product's status, its latest change and what the user may do with it. */
function Product({ detail, view }: { detail: PartnerDetail; view: PaymentProductView }) {
  const { can } = useTenant();
  const tenantId = detail.summary.tenant_id;
  const product = view.product;
  const changes = useQuery({ ...changesQuery(tenantId, { kind: 'payment_product' }), enabled: !!product });
  const [op, setOp] = useState<ProductOperation | null>(null);
  if (!product) {
    return (
      <Paper withBorder radius="md" p="md">
        <Text size="sm" c="dimmed">
          This partner&apos;s account has no payment product at Klarna yet.
        </Text>
      </Paper>
    );
  }
  const latest = changes.data?.items.find((c) => c.resource_id === product.id);
  const pending = latest?.status === 'pending';
  const manage = can('product:manage');
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label="Payment product">
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="xs">
            <Title order={3} size="h4">
              Payment product
            </Title>
            <StateBadge value={product.status} label="Payment product status" />
          </Group>
          <Text size="xs" c="dimmed">
            Klarna id <Code>{product.id}</Code>
            {product.profile_id && (
              <>
                {' '}
                · payment profile <Code>{product.profile_id}</Code>
              </>
            )}
          </Text>
          {latest && (
            <Group gap="xs">
              <Text size="sm">
                Last change: {latest.operation} ({latest.reason || 'no reason'}) by {latest.requested_by || 'system'}, {formatDateTime(latest.created_at)}
              </Text>
              <ChangeStatus tenantId={tenantId} change={latest} />
            </Group>
          )}
        </Stack>
        {manage && product.status === 'ENABLED' && (
          <Button color="red" variant="light" onClick={() => setOp('disable')} disabled={pending}>
            Disable payment product
          </Button>
        )}
        {manage && product.status === 'DISABLED' && !view.offboarded && (
          <Button variant="light" onClick={() => setOp('enable')} disabled={pending}>
            Enable payment product
          </Button>
        )}
      </Group>
      {product.status === 'TERMINATED' && (
        <Alert color="red" variant="light" mt="sm" title="Terminated by Klarna">
          Klarna shut this payment product down (anti-money-laundering, fraud or risk). Only Klarna can change a terminated product: there is nothing to do here;
          contact Klarna if you believe it is a mistake.
        </Alert>
      )}
      {view.offboarded && product.status !== 'TERMINATED' && (
        <Text size="sm" c="dimmed" mt="sm">
          This partner was offboarded, so its payment product stays disabled.
        </Text>
      )}
      {pending && (
        <Text size="sm" c="dimmed" mt="sm">
          A change is on its way to Klarna; wait until it is applied.
        </Text>
      )}
      {(pending || awaitingKlarna(view)) && (
        <Text size="sm" c="dimmed" mt="xs" role="status">
          A change can take up to 10 minutes to take effect at Klarna; the status here follows when Klarna reports it.
        </Text>
      )}
      <Text size="xs" c="dimmed" mt="sm">
        Disabled: no new payments, while refunds and disputes go on. Enabled again by an acquirer admin. Terminated: only Klarna moves it.
      </Text>
      {op && <ProductChangeModal tenantId={tenantId} partnerName={detail.summary.name} op={op} opened onClose={() => setOp(null)} />}
    </Paper>
  );
}

/** The partner page's "Payment product" tab: status with disable/enable, payment accounts (read-only) and the status history. */
export function ProductsTab({ detail }: { detail: PartnerDetail }) {
  const view = useQuery(paymentProductQuery(detail.summary.tenant_id));
  if (view.error) return <ErrorPanel error={view.error} onRetry={() => void view.refetch()} />;
  if (!view.data) return <PageLoader label="Loading the payment product" />;
  return (
    <Stack>
      <Product detail={detail} view={view.data} />
      <PaymentAccounts detail={detail} view={view.data} />
      <Paper withBorder radius="md" p="md" component="section" aria-label="Status history">
        <Title order={3} size="h4" mb="xs">
          Status history
        </Title>
        <History history={view.data.history} />
        <Text size="xs" c="dimmed" mt="xs">
          Every status Klarna reported (webhooks and reads of the account), and every change asked for here, with who and why.{' '}
          <Anchor component={Link} to={`/audit?tenant=${encodeURIComponent(detail.summary.tenant_id)}`} size="xs">
            Audit trail
          </Anchor>
        </Text>
      </Paper>
    </Stack>
  );
}
