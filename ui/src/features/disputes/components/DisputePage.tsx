import { Anchor, Button, Code, Group, Paper, Select, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { Fact } from '@/components/Fact';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { KlarnaCallsLink } from '@/features/klarnalog';
import { ApiError } from '@/lib/api';
import { formatDateTime, formatMoney, formatTimestamp } from '@/lib/format';
import { notify } from '@/lib/notify';
import {
  assigneesQuery,
  attachmentIdFromUrl,
  attachmentUrl,
  disputeQuery,
  enumLabel,
  REASONS,
  reasonLabel,
  useAssignDispute,
  useRefreshDispute,
  type DisputeDetail,
  type KlarnaAttachment,
} from '../api/disputes';
import { DisputeActions } from './DisputeActions';
import { DisputeStateBadge, OutcomeBadge, TimeLeftBadge, useNow } from './badges';

const wrap = { overflowWrap: 'anywhere' } as const;

function Id({ value }: { value: string | undefined | null }) {
  return value ? <Code style={wrap}>{value}</Code> : <Text span size="sm" c="dimmed">—</Text>;
}

/** An id of the dispute's payment, linked to the payments list searched for it (when the user may read payments). */
function PaymentId({ value, linked }: { value: string | undefined | null; linked: boolean }) {
  if (!value || !linked) return <Id value={value} />;
  return (
    <Anchor component={Link} to={`/payments?q=${encodeURIComponent(value)}`} title="Payment" data-payment-link>
      <Code style={wrap}>{value}</Code>
    </Anchor>
  );
}

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

/** One downloadable file of the dispute. */
interface FileLink {
  id: string;
  name: string;
  mime?: string;
}

function Files({ disputeId, files, none }: { disputeId: string; files: FileLink[]; none: string }) {
  if (files.length === 0) return <Text size="sm" c="dimmed">{none}</Text>;
  return (
    <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {files.map((f) => (
        <li key={f.id}>
          <Anchor href={attachmentUrl(disputeId, f.id)} download style={wrap} size="sm">
            {f.name}
          </Anchor>
          {f.mime && (
            <Text span size="xs" c="dimmed">
              {' '}
              ({f.mime})
            </Text>
          )}
        </li>
      ))}
    </Stack>
  );
}

/** The customer's evidence: the attachment id is the last path segment before /download, else the evidence id. */
export function customerEvidence(d: DisputeDetail): FileLink[] {
  return (d.object?.customer_evidences ?? []).flatMap((e, i) => {
    const id = attachmentIdFromUrl(e.attachment?.url) ?? e.payment_dispute_customer_evidence_id;
    return id ? [{ id, name: e.attachment?.description || `Customer evidence ${i + 1}`, mime: e.attachment?.mime_type }] : [];
  });
}

function attachmentLinks(list: KlarnaAttachment[] | undefined, what: string): FileLink[] {
  return (list ?? []).flatMap((a, i) => {
    const id = a.payment_dispute_attachment_id ?? attachmentIdFromUrl(a.url);
    return id ? [{ id, name: a.description || `${what} ${i + 1}`, mime: a.mime_type }] : [];
  });
}

/** What the partner sent Klarna: the representment's evidence, and the appeal's files. */
function submitted(d: DisputeDetail) {
  const o = d.object;
  const evidence = o?.state_context?.partner_evidence ?? o?.representment?.partner_evidence;
  return {
    evidence,
    files: attachmentLinks(evidence?.attachments, 'Evidence file'),
    appeal: o?.arbitration?.arbitration_request,
    appealFiles: attachmentLinks(o?.arbitration?.arbitration_request?.attachments, 'Appeal file'),
  };
}

function AssigneePicker({ dispute }: { dispute: DisputeDetail }) {
  const assignees = useQuery(assigneesQuery(dispute.id));
  const assign = useAssignDispute(dispute.id);
  const options = (assignees.data ?? []).map((u) => ({ value: u.id, label: u.name || u.email }));
  if (dispute.assignee && !options.some((o) => o.value === dispute.assignee?.id)) options.unshift({ value: dispute.assignee.id, label: dispute.assignee.name });
  return (
    <Select
      label="Assignee"
      placeholder="No one"
      data={options}
      value={dispute.assignee?.id ?? null}
      onChange={(v) =>
        assign.mutate(
          { userId: v, name: options.find((o) => o.value === v)?.label },
          {
            onSuccess: () => notify({ color: 'green', title: v ? 'Dispute assigned' : 'Dispute unassigned', message: v ? `Assigned to ${options.find((o) => o.value === v)?.label}.` : 'No one is assigned now.' }),
            onError: (e) => notify({ color: 'red', title: 'Could not assign the dispute', message: e.message }),
          },
        )
      }
      clearable
      searchable
      disabled={assign.isPending || assignees.isPending}
      error={assignees.error ? 'Could not load who can be assigned' : undefined}
      maw={320}
    />
  );
}

/** A dispute: what it is about, the money and the deadline, its references, the evidence, the timeline and what can be done now. */
export function DisputePage() {
  const { dispute: id = '' } = useParams();
  const { state } = useLocation() as { state?: { back?: string } };
  const { can, tenant } = useTenant();
  const respond = can('dispute:respond');
  const payments = can('payment:read');
  const dispute = useQuery(disputeQuery(id));
  const refresh = useRefreshDispute(id);
  const now = useNow();
  const back = (
    <Anchor component={Link} to={{ pathname: '/disputes', search: state?.back ?? '' }} size="sm">
      ← Disputes
    </Anchor>
  );

  if (dispute.isPending) return <PageLoader label="Loading the dispute" />;
  if (dispute.error) {
    if (dispute.error instanceof ApiError && dispute.error.status === 404)
      return (
        <>
          {back}
          <EmptyState title="No such dispute">This dispute does not exist or is not one you can see.</EmptyState>
        </>
      );
    return (
      <>
        {back}
        <ErrorPanel error={dispute.error} onRetry={() => void dispute.refetch()} />
      </>
    );
  }

  const d = dispute.data;
  const o = d.object;
  const reason = REASONS[d.reason];
  const sub = submitted(d);
  const request = o?.representment?.request ?? o?.state_context?.representment?.request;
  const captureIds = [o?.capture_id, o?.payment_capture_id, o?.payment_capture_reference, o?.capture_krn].filter((v, i, all): v is string => Boolean(v) && all.indexOf(v) === i);

  return (
    <Stack gap="md" style={{ minWidth: 0 }}>
      {back}
      <PageHeader title={`${reasonLabel(d.reason)}, ${formatMoney(d.amount, d.currency)}`} description={reason ? reason.means : `Klarna's reason: ${d.reason}`} />

      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        {respond ? <AssigneePicker dispute={d} /> : <Fact label="Assignee">{d.assignee?.name ?? 'No one'}</Fact>}
        <KlarnaCallsLink objectKind="dispute" objectId={d.id} />
        {respond && (
          <Button
            variant="default"
            loading={refresh.isPending}
            onClick={() =>
              refresh.mutate(undefined, {
                onSuccess: () => notify({ color: 'green', title: 'Re-read from Klarna', message: 'The dispute shows what Klarna says now.' }),
                onError: (e) => notify({ color: 'red', title: 'Could not re-read from Klarna', message: e.message }),
              })
            }
          >
            Re-read from Klarna
          </Button>
        )}
      </Group>

      <Section title="Summary">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
          <Fact label="Reason">
            {reasonLabel(d.reason)}
            {reason && (
              <Text size="xs" c="dimmed">
                {reason.means}
              </Text>
            )}
          </Fact>
          <Fact label="Disputed amount">{formatMoney(d.amount, d.currency)}</Fact>
          <Fact label="State">
            <Group gap={4} wrap="wrap">
              <DisputeStateBadge state={d.state} />
              {d.representment_state && <Text size="sm" span data-testid="representment-state">Representment: {enumLabel(d.representment_state)}</Text>}
            </Group>
            {d.previous_state && <Text size="xs" c="dimmed">Before: {enumLabel(d.previous_state)}</Text>}
          </Fact>
          {d.deadline_at && (
            <Fact label="Deadline">
              <Group gap={6} wrap="wrap">
                <span>{formatDateTime(d.deadline_at)}</span>
                <TimeLeftBadge deadline={d.deadline_at} now={now} />
              </Group>
            </Fact>
          )}
          {d.outcome && (
            <Fact label="Outcome">
              <OutcomeBadge outcome={d.outcome} />
              {d.outcome_detailed && <Code style={wrap} ml={6}>{d.outcome_detailed}</Code>}
            </Fact>
          )}
          <Fact label="Partner">
            <Anchor component={Link} to={`/partners/${d.tenant_id}`}>
              {d.partner_name || (tenant.kind === 'partner' ? tenant.name : d.tenant_id)}
            </Anchor>
          </Fact>
          <Fact label="Payment account">
            <Id value={d.payment_account_id} />
            {o?.payment_account_reference && <Text size="xs" c="dimmed">{o.payment_account_reference}</Text>}
          </Fact>
          <Fact label="Opened">{formatDateTime(d.opened_at)}</Fact>
          {d.answered_at && <Fact label="Answered">{formatDateTime(d.answered_at)}</Fact>}
          {d.closed_at && <Fact label="Closed">{formatDateTime(d.closed_at)}</Fact>}
          <Fact label="Last read from Klarna">{formatDateTime(d.read_at, 'Not read yet')}</Fact>
          <Fact label="Dispute id">
            <Id value={d.id} />
          </Fact>
        </SimpleGrid>
        {request?.additional_information && (
          <Text size="sm" mt="md" style={wrap}>
            <Text span fw={600} size="sm">Klarna asks: </Text>
            {request.additional_information}
          </Text>
        )}
      </Section>

      <DisputeActions disputeId={d.id} actions={d.actions} />

      <Section title="Transaction">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          <Fact label="Order id"><PaymentId value={d.order_id} linked={payments} /></Fact>
          <Fact label="Payment transaction id"><PaymentId value={d.payment_transaction_id} linked={payments} /></Fact>
          <Fact label="Purchase reference"><Id value={d.purchase_reference} /></Fact>
          {o?.payment_transaction_reference && <Fact label="Transaction reference"><Id value={o.payment_transaction_reference} /></Fact>}
          {o?.merchant_reference2 && <Fact label="Second merchant reference"><Id value={o.merchant_reference2} /></Fact>}
          <Fact label="Capture ids">
            {captureIds.length ? (
              <Stack gap={2}>
                {captureIds.map((c) => (
                  <Id key={c} value={c} />
                ))}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">None</Text>
            )}
          </Fact>
        </SimpleGrid>
      </Section>

      <Section title="Customer's evidence">
        <Files disputeId={d.id} files={customerEvidence(d)} none={o ? 'The customer sent no files.' : 'Not read from Klarna yet.'} />
      </Section>

      <Section title="Submitted evidence">
        {sub.evidence ? (
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              Sent {formatDateTime(sub.evidence.created_at)}
            </Text>
            {sub.evidence.additional_information && <Text size="sm" style={wrap}>{sub.evidence.additional_information}</Text>}
            <Files disputeId={d.id} files={sub.files} none="No files." />
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">Nothing has been submitted to Klarna.</Text>
        )}
        {sub.appeal && (
          <Stack gap="xs" mt="md">
            <Text size="sm" fw={600}>Appeal, sent {formatDateTime(sub.appeal.requested_at)}</Text>
            {sub.appeal.additional_information && <Text size="sm" style={wrap}>{sub.appeal.additional_information}</Text>}
            <Files disputeId={d.id} files={sub.appealFiles} none="No files." />
          </Stack>
        )}
      </Section>

      <Section title="Timeline">
        {d.timeline.length === 0 ? (
          <Text size="sm" c="dimmed">Nothing has happened yet.</Text>
        ) : (
          <Timeline bulletSize={12} lineWidth={2} aria-label="Timeline">
            {d.timeline.map((e, i) => (
              <Timeline.Item key={`${e.at}-${i}`} title={<Text size="sm" style={wrap}>{e.summary}</Text>} data-kind={e.kind}>
                <Text size="xs" c="dimmed">
                  {formatTimestamp(e.at)} · {e.actor || 'Partner Desk'}
                  {e.state ? ` · ${enumLabel(e.state)}` : ''}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </Section>
    </Stack>
  );
}
