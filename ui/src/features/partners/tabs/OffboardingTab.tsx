import { Alert, Badge, Button, Group, List, Modal, Paper, Stack, Text, Textarea, ThemeIcon, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorPanel } from '@/components/ErrorPanel';
import { FormError } from '@/components/FormError';
import { PageLoader } from '@/components/PageLoader';
import { applyServerErrors, useSchemaForm } from '@/lib/form';
import { formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import type { PartnerDetail } from '../api/partners';
import { offboardingQuery, useResumeOffboarding, useStartOffboarding, type Offboarding, type OffboardingStep } from '../api/products';
import { MAX_REASON, reasonSchema } from './ProductChangeModal';

export const STEP_TEXT: Record<OffboardingStep['name'], { title: string; text: string }> = {
  disable_payment_products: {
    title: 'Disable the payment products',
    text: 'Asks Klarna to disable the payment product; done once Klarna has applied it. Refunds and disputes keep working.',
  },
  disable_credentials: { title: 'Disable API keys and client identifiers', text: "Disables every enabled API key and Web SDK client identifier of the partner at Klarna." },
  revoke_user_access: {
    title: "Revoke the partner's users' access",
    text: "Suspends every user of the partner in Partner Desk and withdraws open invitations: they can no longer sign in to this partner.",
  },
  mark_offboarded: { title: 'Mark the partner offboarded', text: 'The directory and this page show it offboarded. Its data, disputes and settlements stay readable to the acquirer.' },
};

const STEP_COLOR: Record<OffboardingStep['status'], string> = { pending: 'gray', running: 'blue', done: 'green', failed: 'red' };
const STEP_STATUS: Record<OffboardingStep['status'], string> = { pending: 'Pending', running: 'Running', done: 'Done', failed: 'Failed' };

/** What a finished step did, in words. */
function resultText(s: OffboardingStep): string {
  const r = s.result;
  switch (s.name) {
    case 'disable_payment_products': {
      const n = Array.isArray(r.changes) ? r.changes.length : 0;
      return n === 0 ? 'Nothing to disable: no enabled payment product.' : `Klarna applied ${n} change${n === 1 ? '' : 's'}.`;
    }
    case 'disable_credentials':
      return typeof r.credentials_disabled === 'number' ? `${r.credentials_disabled} credential${r.credentials_disabled === 1 ? '' : 's'} disabled.` : '';
    case 'revoke_user_access':
      return typeof r.users_suspended === 'number' ? `${r.users_suspended} user${r.users_suspended === 1 ? '' : 's'} suspended.` : '';
    default:
      return '';
  }
}

/** The steps, each with its status, result or error, and when it ran. */
export function OffboardingSteps({ offboarding }: { offboarding: Offboarding }) {
  return (
    <List spacing="md" listStyleType="none" aria-label="Offboarding steps" center={false}>
      {offboarding.steps.map((s, i) => (
        <List.Item
          key={s.name}
          aria-label={`Step ${i + 1}: ${STEP_TEXT[s.name].title} — ${STEP_STATUS[s.status]}`}
          icon={
            <ThemeIcon color={STEP_COLOR[s.status]} variant="light" radius="xl" size="md">
              <Text size="xs" fw={700}>
                {i + 1}
              </Text>
            </ThemeIcon>
          }
        >
          <Group gap="xs">
            <Text fw={600}>{STEP_TEXT[s.name].title}</Text>
            <Badge color={STEP_COLOR[s.status]} variant="light" tt="none">
              {STEP_STATUS[s.status]}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {STEP_TEXT[s.name].text}
          </Text>
          {s.status === 'done' && resultText(s) && <Text size="sm">{resultText(s)}</Text>}
          {s.status === 'running' && s.name === 'disable_payment_products' && <Text size="sm">Waiting for Klarna to apply the change (it can take up to 10 minutes to take effect).</Text>}
          {s.status === 'failed' && (
            <Alert color="red" variant="light" mt={4} title="This step failed">
              {s.error}
            </Alert>
          )}
          {(s.started_at || s.finished_at) && (
            <Text size="xs" c="dimmed">
              {s.started_at && `Started ${formatDateTime(s.started_at)}`}
              {s.finished_at && ` · finished ${formatDateTime(s.finished_at)}`}
              {s.attempts > 1 && ` · attempt ${s.attempts}`}
            </Text>
          )}
        </List.Item>
      ))}
    </List>
  );
}

const FIELDS = ['reason'] as const;

/** Ask for the reason and confirm, then start the offboarding. */
function StartModal({ detail, opened, onClose }: { detail: PartnerDetail; opened: boolean; onClose: () => void }) {
  const { summary } = detail;
  const form = useSchemaForm(reasonSchema, { reason: '' });
  const start = useStartOffboarding(summary.tenant_id, summary.name);
  const close = () => {
    form.reset();
    start.reset();
    onClose();
  };
  const submit = form.onSubmit((values) =>
    start.mutate(reasonSchema.parse(values).reason, {
      onSuccess: () => {
        notify({ color: 'blue', title: 'Offboarding started', message: `${summary.name} is being offboarded; each step shows its result here.` });
        close();
      },
      onError: (e) => applyServerErrors(form, e, FIELDS),
    }),
  );
  return (
    <Modal opened={opened} onClose={close} title={`Offboard ${summary.name}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">
            This disables {summary.name}&apos;s payment product and credentials at Klarna and ends its users&apos; access to Partner Desk. It cannot be undone from here.
          </Text>
          <Textarea label="Reason" description="Kept with the offboarding and in the audit trail." rows={3} maxLength={MAX_REASON + 50} {...form.getInputProps('reason')} data-autofocus required />
          <FormError error={start.error} fields={FIELDS} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={start.isPending}>
              Offboard partner
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The partner page's "Offboarding" tab (acquirer admins): the guided offboarding, each step with its result, resumable after a failure. */
export function OffboardingTab({ detail }: { detail: PartnerDetail }) {
  const { summary } = detail;
  const q = useQuery(offboardingQuery(summary.tenant_id));
  const resume = useResumeOffboarding(summary.tenant_id, summary.name);
  const [starting, setStarting] = useState(false);
  if (q.error) return <ErrorPanel error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <PageLoader label="Loading the offboarding" />;
  const o = q.data;
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label="Offboarding">
      <Group justify="space-between" align="flex-start" mb="sm">
        <Stack gap={2}>
          <Title order={3} size="h4">
            Offboarding
          </Title>
          {o.status === 'not_started' && <Text size="sm">Offboarding runs these steps in order. If one fails it stops there, shows why, and can be resumed from that step.</Text>}
          {o.status === 'running' && (
            <Text size="sm" role="status">
              Running since {formatDateTime(o.created_at)}, started by {o.requested_by || 'system'}.
            </Text>
          )}
          {o.status === 'failed' && (
            <Text size="sm" c="red" role="status">
              Stopped at a failed step. Fix the cause, then resume: the steps done are not redone.
            </Text>
          )}
          {o.status === 'completed' && (
            <Text size="sm" role="status">
              Offboarded {formatDateTime(o.completed_at)} by {o.requested_by || 'system'}. Its data, disputes and settlements stay readable to the acquirer.
            </Text>
          )}
          {o.reason && (
            <Text size="sm" c="dimmed">
              Reason: {o.reason}
            </Text>
          )}
        </Stack>
        {o.status === 'not_started' && (
          <Button color="red" onClick={() => setStarting(true)}>
            Offboard partner
          </Button>
        )}
        {o.status === 'failed' && (
          <Button
            loading={resume.isPending}
            onClick={() => resume.mutate(undefined, { onError: (e) => notify({ color: 'red', title: 'Could not resume the offboarding', message: e.message }) })}
          >
            Resume
          </Button>
        )}
      </Group>
      <OffboardingSteps offboarding={o} />
      <StartModal detail={detail} opened={starting} onClose={() => setStarting(false)} />
    </Paper>
  );
}
