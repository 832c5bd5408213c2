import { Alert, Anchor, Code, Group, List, Paper, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { Fact } from '@/components/Fact';
import { CopyAction } from '@/components/CopyId';
import { AlertIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { ApiError } from '@/lib/api';
import { formatDateTime, formatMoney, formatTimestamp } from '@/lib/format';
import { amountText, pathLabel, paymentQuery, paymentTypeLabel, stateLabel, type PaymentMoney, type PaymentSummary, type PaymentTimelineEntry, type PaymentFlag } from '../api/payments';
import { PaymentStateBadge, stateColor } from './badges';

const wrap = { overflowWrap: 'anywhere' } as const;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** An id with its copy button; a dash when Klarna has not reported it (yet). */
function CopyFact({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <Fact label={label}>
      {value ? (
        <Group gap={4} wrap="nowrap" align="flex-start">
          <Code style={wrap}>{value}</Code>
          <CopyAction value={value} label={`Copy the ${label.toLowerCase()}`} />
        </Group>
      ) : (
        <Text span size="sm" c="dimmed">
          —
        </Text>
      )}
      {note && (
        <Text size="xs" c="dimmed" style={wrap}>
          {note}
        </Text>
      )}
    </Fact>
  );
}

/** What the payment's money did: authorized, captured, refunded, fees, settled, withheld, lost. */
function MoneyView({ money }: { money: PaymentMoney }) {
  const m = (v: number) => formatMoney(v, money.currency);
  const facts: [string, number, string][] = [
    ['Authorized', money.authorized, 'What Klarna authorized'],
    ['Captured', money.captured, 'Sales settled'],
    ['Refunded', money.refunded, 'Returns settled'],
    ['Fees', money.fees, 'Klarna’s fees with VAT'],
    ['Settled', money.settled, 'What the lines added to payouts'],
    ['Withheld', money.withheld, 'Held back, not yet released'],
    ['Lost', money.lost, 'Charged back after disputes'],
  ];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Money">
      <Title order={2} size="h4" mb="sm">
        Money
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }} spacing="md">
        {facts.map(([label, value, hint]) => (
          <div key={label} data-money={label.toLowerCase()}>
            <Fact label={label}>
              <Text size="md" fw={600} span>
                {m(value)}
              </Text>
            </Fact>
            <Text size="xs" c="dimmed">
              {hint}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Paper>
  );
}

/** What does not add up, one line each. */
function Flags({ flags }: { flags: readonly PaymentFlag[] }) {
  if (flags.length === 0) return null;
  return (
    <Alert color="orange" variant="light" icon={<AlertIcon />} title={flags.length === 1 ? 'Something does not add up' : `${flags.length} things do not add up`} aria-label="What does not add up">
      <List size="sm" spacing={4}>
        {flags.map((f) => (
          <List.Item key={`${f.code}:${f.message}`} data-flag={f.code} style={wrap}>
            {f.message}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}

const KIND_COLOR: Record<PaymentTimelineEntry['kind'], string> = { state: 'blue', line: 'teal', dispute: 'orange' };

/** One entry of the timeline: its time and amount, what it says, and where it leads (the payout, the dispute). */
function Entry({ e }: { e: PaymentTimelineEntry }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">
        {formatTimestamp(e.at)}
        {e.amount != null ? ` · ${formatMoney(e.amount, e.currency)}` : ''}
      </Text>
      {e.detail && (
        <Text size="sm" style={wrap}>
          {e.detail}
        </Text>
      )}
      {(e.payment_reference || e.dispute_id) && (
        <Group gap="md" wrap="wrap">
          {e.payment_reference && (
            <Anchor component={Link} to={`/settlements/payouts/${encodeURIComponent(e.payment_reference)}`} size="sm" style={wrap}>
              Payout {e.payment_reference}
            </Anchor>
          )}
          {e.dispute_id && (
            <Anchor component={Link} to={`/disputes/${encodeURIComponent(e.dispute_id)}`} size="sm">
              Open the dispute
            </Anchor>
          )}
        </Group>
      )}
    </Stack>
  );
}

/** A state's bullet in the state's colour (as its badge); a line's teal, a dispute's orange. */
const bulletColor = (e: PaymentTimelineEntry) => (e.kind === 'state' ? stateColor(e.state) : KIND_COLOR[e.kind]);

/** How the partner integrated this payment: the path, one-time or recurring, the token, interoperability. */
function Integration({ p }: { p: PaymentSummary }) {
  const interop =
    p.interoperability === 'carried'
      ? 'Carried: the request passed the interoperability token.'
      : p.interoperability === 'missing'
        ? 'Missing: the request should have passed the interoperability token and did not.'
        : 'Not expected: the customer did not come from another Klarna feature.';
  return (
    <Section title="Integration">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        <Fact label="Integration path">{pathLabel(p.integration_path)}</Fact>
        <Fact label="Payment type">{paymentTypeLabel(p.payment_type)}</Fact>
        <Fact label="Customer token">{p.customer_token ? 'Issued' : 'None issued'}</Fact>
        <Fact label="Interoperability source">{p.interoperability_source || '—'}</Fact>
        <Fact label="Interoperability token">
          <span data-interop={p.interoperability}>{interop}</span>
        </Fact>
        <Fact label="State reports received">{p.events}</Fact>
      </SimpleGrid>
    </Section>
  );
}

/** A payment: its state, amount, ids, what its money did and what does not add up, how it was integrated, and one timeline of everything that happened to it. */
export function PaymentPage() {
  const { payment: id = '' } = useParams();
  const { state } = useLocation() as { state?: { back?: string } };
  const { tenant } = useTenant();
  const payment = useQuery(paymentQuery(id));
  const back = (
    <Anchor component={Link} to={{ pathname: '/payments', search: state?.back ?? '' }} size="sm">
      ← Payments
    </Anchor>
  );

  if (payment.isPending) return <PageLoader label="Loading the payment" />;
  if (payment.error) {
    return (
      <Stack>
        {back}
        {payment.error instanceof ApiError && payment.error.status === 404 ? (
          <EmptyState title="No such payment">This payment does not exist or is not one you can see.</EmptyState>
        ) : (
          <ErrorPanel error={payment.error} title="The payment could not be loaded" onRetry={() => void payment.refetch()} />
        )}
      </Stack>
    );
  }

  const t = payment.data;
  const p = t.payment;
  const partner = p.partner_name || (tenant.kind === 'partner' ? tenant.name : p.tenant_id);

  return (
    <Stack gap="md" style={{ minWidth: 0 }}>
      {back}
      <PageHeader
        title={`Payment of ${amountText(p)}`}
        description={`${partner} · created ${formatDateTime(p.created_at)}`}
        actions={<PaymentStateBadge state={p.state} size="lg" />}
      />

      <Section title="Summary">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
          {(p.state_reason || !p.state_known) && (
            <Fact label="State">
              <Text size="sm" span style={wrap}>
                {p.state_known ? stateLabel(p.state) : p.state}
                {p.state_reason ? `: ${p.state_reason}` : ''}
              </Text>
              {!p.state_known && p.state && (
                <Text size="xs" c="dimmed">
                  A state Klarna added after this version of Partner Desk; shown as reported.
                </Text>
              )}
            </Fact>
          )}
          <Fact label="Amount">{amountText(p)}</Fact>
          <Fact label="Partner">
            <Anchor component={Link} to={`/partners/${p.tenant_id}`}>
              {partner}
            </Anchor>
          </Fact>
          <Fact label="Created">{formatDateTime(p.created_at)}</Fact>
          <Fact label="Last changed">{formatDateTime(p.state_at)}</Fact>
          {p.submitted_at && <Fact label="Submitted">{formatDateTime(p.submitted_at)}</Fact>}
          {p.authorized_at && <Fact label="Authorized">{formatDateTime(p.authorized_at)}</Fact>}
          {p.final_at && p.final_at !== p.authorized_at && <Fact label="Final state reached">{formatDateTime(p.final_at)}</Fact>}
          {p.expires_at && !p.final_at && <Fact label="Expires">{formatDateTime(p.expires_at)}</Fact>}
        </SimpleGrid>
      </Section>

      <Section title="Ids">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <CopyFact label="Payment request id" value={p.id} />
          <CopyFact label="Reference" value={p.reference} />
          <CopyFact label="Purchase reference" value={p.purchase_reference} />
          <CopyFact label="Payment transaction id" value={p.payment_transaction_id} />
          <CopyFact label="Order id" value={p.order_id} />
          <CopyFact label="Payment account" value={p.payment_account_id} note={p.payment_account_reference || undefined} />
          {t.klarna_account_id && <CopyFact label="Klarna account" value={t.klarna_account_id} />}
        </SimpleGrid>
      </Section>

      <Flags flags={t.flags} />
      <MoneyView money={t.money} />
      <Integration p={p} />

      <Section title="Timeline">
        {t.entries.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing has been reported yet.
          </Text>
        ) : (
          <Timeline bulletSize={12} lineWidth={2} aria-label="Timeline">
            {t.entries.map((e, i) => (
              <Timeline.Item
                key={`${e.at}-${i}`}
                title={
                  <Text size="sm" fw={600} style={wrap}>
                    {e.title}
                  </Text>
                }
                color={bulletColor(e)}
                data-kind={e.kind}
                data-state={e.state || undefined}
              >
                <Entry e={e} />
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </Section>
    </Stack>
  );
}
