// The actions panel of a dispute's page (represent, accept loss, appeal): the answer is drafted on the
// server (autosaved), its files uploaded with a progress bar each, reviewed, then sent to Klarna.
import { Alert, Anchor, Button, Card, Checkbox, FileButton, Group, NumberInput, Progress, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { formatDateTime, formatMoney, minorDigits } from '@/lib/format';
import {
  disputeActionsQuery,
  draftFileUrl,
  draftQuery,
  uploadEvidence,
  useDeleteAttachment,
  useSaveDraft,
  useSubmitAction,
  type DisputeAction,
  type DisputeDraft,
  type DraftKind,
  type UploadError,
} from '../api/actions';
import { disputeQuery } from '../api/disputes';

const MAX_FILES = 10;
const MAX_BYTES = 7 << 20;
const ACCEPTED = '.pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png,application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export interface AnswerValues {
  information: string;
  refund: number | '';
  files: number;
}

/** Every invalid field of an answer at once (the server checks the same). */
export function answerErrors(kind: DraftKind, v: AnswerValues, amount: number, max: number): Record<string, string> {
  const errors: Record<string, string> = {};
  if (kind === 'represent' && v.files === 0) errors.attachments = 'Attach at least one file of evidence.';
  if (v.information.length > max) errors.additional_information = `At most ${max} characters (now ${v.information.length}).`;
  if (kind === 'appeal' && v.information.trim() === '') errors.additional_information = 'Say what the decision overlooked.';
  if (kind === 'represent' && v.refund !== '') {
    if (v.refund <= 0) errors.partner_proposed_refund_amount = 'Must be more than 0.';
    else if (v.refund >= amount) errors.partner_proposed_refund_amount = 'Must be below the disputed amount.';
  }
  return errors;
}

function LastAction({ a }: { a: DisputeAction | undefined }) {
  if (!a) return null;
  const what = a.kind === 'accept_loss' ? 'Accepting the loss' : a.kind === 'appeal' ? 'The appeal' : 'The evidence';
  if (a.status === 'pending') return <Alert color="blue">{what} is being sent to Klarna…</Alert>;
  if (a.status === 'failed')
    return (
      <Alert color="red" title={`${what} was refused by Klarna`}>
        {a.error}
      </Alert>
    );
  return <Alert color="green">{what} reached Klarna ({formatDateTime(a.finished_at ?? a.created_at)}).</Alert>;
}

interface Upload {
  name: string;
  progress: number;
  error?: string;
}

function AnswerForm({ disputeId, kind, draft, amount, currency, onSubmitted }: { disputeId: string; kind: DraftKind; draft: DisputeDraft; amount: number; currency: string; onSubmitted: () => void }) {
  const [information, setInformation] = useState(draft.additional_information);
  const [refund, setRefund] = useState<number | ''>(draft.partner_proposed_refund_amount ?? '');
  // What the refund field shows, in the currency's major unit ("45." while typing stays as typed).
  const digits = minorDigits(currency);
  const [refundInput, setRefundInput] = useState<number | string>(draft.partner_proposed_refund_amount == null ? '' : draft.partner_proposed_refund_amount / 10 ** digits);
  const [checklist, setChecklist] = useState<string[]>(draft.checklist);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [reviewing, setReviewing] = useState(false);
  const version = useRef(draft.version);
  const save = useSaveDraft(disputeId, kind);
  const remove = useDeleteAttachment(disputeId, kind);
  const submit = useSubmitAction(disputeId);
  const drafts = useQuery(draftQuery(disputeId, kind));
  const files = drafts.data?.attachments ?? draft.attachments;

  // Autosave a second after the last change.
  const dirty = information !== draft.additional_information || refund !== (draft.partner_proposed_refund_amount ?? '') || checklist.join() !== draft.checklist.join();
  useEffect(() => {
    if (!dirty) return;
    const t = setTimeout(() => {
      save.mutate(
        { additional_information: information, partner_proposed_refund_amount: refund === '' ? null : refund, checklist, version: version.current },
        { onSuccess: (d) => (version.current = d.version) },
      );
    }, 1000);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [information, refund, checklist]);

  const pick = (list: File[]) => {
    for (const file of list) {
      const name = file.name;
      if (file.size > MAX_BYTES) {
        setUploads((u) => [...u, { name, progress: 0, error: 'Larger than 7 MB.' }]);
        continue;
      }
      setUploads((u) => [...u, { name, progress: 0 }]);
      const set = (patch: Partial<Upload>) => setUploads((u) => u.map((x) => (x.name === name ? { ...x, ...patch } : x)));
      uploadEvidence(disputeId, kind, file, (p) => set({ progress: p }))
        .then(() => {
          setUploads((u) => u.filter((x) => x.name !== name));
          void drafts.refetch();
        })
        .catch((e: UploadError) => set({ error: e.message }));
    }
  };

  const review = () => {
    const e = answerErrors(kind, { information, refund, files: files.length }, amount, draft.max_information);
    setErrors(e);
    if (Object.keys(e).length === 0) setReviewing(true);
  };

  if (reviewing)
    return (
      <Stack>
        <Title order={4}>Review your answer</Title>
        <Text size="sm">{files.length} file(s): {files.map((f) => f.filename).join(', ') || 'none'}</Text>
        {information && <Text size="sm">“{information}”</Text>}
        {refund !== '' && <Text size="sm">Proposed refund: {formatMoney(refund, currency)}</Text>}
        <Group>
          <Button variant="default" onClick={() => setReviewing(false)}>
            Back
          </Button>
          <Button
            loading={submit.isPending}
            onClick={() =>
              submit.mutate(kind, {
                onSuccess: () => {
                  setReviewing(false);
                  onSubmitted();
                },
              })
            }
          >
            {kind === 'appeal' ? 'Send the appeal to Klarna' : 'Submit the evidence to Klarna'}
          </Button>
        </Group>
        {submit.error && <Alert color="red">{submit.error.message}</Alert>}
      </Stack>
    );

  return (
    <Stack>
      <Stack gap={4}>
        <Text fw={600}>{draft.guide.title}</Text>
        <Text size="sm" c="dimmed">
          {draft.guide.explanation}
        </Text>
        {draft.guide.items.map((it) => (
          <Checkbox
            key={it.id}
            label={it.label}
            checked={checklist.includes(it.id)}
            onChange={(e) => setChecklist((c) => (e.currentTarget.checked ? [...c, it.id] : c.filter((x) => x !== it.id)))}
          />
        ))}
      </Stack>
      <Stack gap={4}>
        <Text fw={600}>
          Files ({files.length}/{MAX_FILES}): PDF, JPEG, PNG or DOCX, at most 7 MB each
        </Text>
        {files.map((f) => (
          <Group key={f.id} justify="space-between">
            <Anchor href={draftFileUrl(disputeId, kind, f.id)} size="sm">
              {f.filename}
            </Anchor>
            <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(f.id, { onSuccess: () => void drafts.refetch() })}>
              Remove
            </Button>
          </Group>
        ))}
        {uploads.map((u) => (
          <Stack key={u.name} gap={2}>
            <Text size="sm">{u.name}</Text>
            {u.error ? <Text size="sm" c="red">{u.error}</Text> : <Progress value={u.progress * 100} aria-label={`Uploading ${u.name}`} />}
          </Stack>
        ))}
        <FileButton multiple accept={ACCEPTED} disabled={files.length >= MAX_FILES} onChange={pick} inputProps={{ 'aria-label': 'Add files' }}>
          {(props) => (
            <Button {...props} variant="default" size="sm" style={{ alignSelf: 'flex-start' }}>
              Add files
            </Button>
          )}
        </FileButton>
        {errors.attachments && (
          <Text size="sm" c="red">
            {errors.attachments}
          </Text>
        )}
      </Stack>
      <Textarea
        label="Additional information"
        description={`${information.length}/${draft.max_information}`}
        rows={4}
        value={information}
        onChange={(e) => setInformation(e.currentTarget.value)}
        error={errors.additional_information}
      />
      {kind === 'represent' && (
        <NumberInput
          label={`Propose a partial refund (below ${formatMoney(amount, currency)})`}
          description="Optional: what you would refund to close the dispute"
          leftSection={<Text size="xs">{currency}</Text>}
          min={0}
          decimalScale={digits}
          value={refundInput}
          onChange={(v) => {
            setRefundInput(v);
            const n = typeof v === 'number' ? v : Number(v);
            setRefund(v === '' || !Number.isFinite(n) ? '' : Math.round(n * 10 ** digits));
          }}
          error={errors.partner_proposed_refund_amount}
        />
      )}
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {save.isPending ? 'Saving…' : save.error ? `Not saved: ${save.error.message}` : draft.updated_by ? `Draft saved by ${draft.updated_by}` : ''}
        </Text>
        <Button onClick={review}>Review</Button>
      </Group>
    </Stack>
  );
}

/** The actions the API allows for this dispute; nothing when there are none. */
export function DisputeActions({ disputeId, actions }: { disputeId: string; actions: string[] }) {
  const dispute = useQuery(disputeQuery(disputeId));
  const history = useQuery(disputeActionsQuery(disputeId));
  const [confirm, setConfirm] = useState(false);
  const kind: DraftKind = actions.includes('appeal') ? 'appeal' : 'represent';
  const answering = actions.includes('represent') || actions.includes('appeal');
  const draft = useQuery({ ...draftQuery(disputeId, kind), enabled: answering });
  const submit = useSubmitAction(disputeId);
  const last = history.data?.[0];
  if (actions.length === 0) return last ? <LastAction a={last} /> : null;
  const d = dispute.data;
  const amount = d ? formatMoney(d.amount, d.currency) : '';
  return (
    <Card withBorder>
      <Stack>
        <Title order={3}>{kind === 'appeal' ? 'Appeal the preliminary decision' : 'Answer the dispute'}</Title>
        {d?.deadline_at && (
          <Text size="sm">
            {kind === 'appeal' ? 'The 10-day appeal window closes' : 'Evidence is due'} {formatDateTime(d.deadline_at)}.
          </Text>
        )}
        <LastAction a={last} />
        {answering && draft.data && d && (
          <AnswerForm key={draft.data.version === 0 ? 'new' : 'saved'} disputeId={disputeId} kind={kind} draft={draft.data} amount={d.amount} currency={d.currency} onSubmitted={() => void history.refetch()} />
        )}
        {actions.includes('accept_loss') && (
          <Group>
            <Button color="red" variant="outline" onClick={() => setConfirm(true)}>
              Accept the loss
            </Button>
          </Group>
        )}
        {submit.error && <Alert color="red">{submit.error.message}</Alert>}
      </Stack>
      <ConfirmDialog
        opened={confirm}
        onClose={() => setConfirm(false)}
        onConfirm={() => submit.mutate('accept-loss', { onSuccess: () => void history.refetch() })}
        title="Accept the loss?"
        message={`You accept losing ${amount}: the dispute closes in the customer's favour and cannot be answered any more.`}
        confirmLabel={`Accept losing ${amount}`}
      />
    </Card>
  );
}
