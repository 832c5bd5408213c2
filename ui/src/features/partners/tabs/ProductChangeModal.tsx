import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { z } from 'zod';
import { FormError } from '@/components/FormError';
import { applyServerErrors, useSchemaForm } from '@/lib/form';
import { notify } from '@/lib/notify';
import { useProductChange, type ProductOperation } from '../api/products';

export const MAX_REASON = 500;

export const reasonSchema = z.object({
  reason: z.string().trim().min(1, 'Say why: the reason is kept in the history and the audit trail.').max(MAX_REASON, `At most ${MAX_REASON} characters.`),
});

const FIELDS = ['reason'] as const;

const WORDS: Record<ProductOperation, { title: string; effect: string; button: string; color: string }> = {
  disable: {
    title: 'Disable the payment product',
    effect: 'The partner can take no new payments once Klarna has applied it. Refunds, captures of existing orders and disputes keep working.',
    button: 'Disable payment product',
    color: 'red',
  },
  enable: {
    title: 'Enable the payment product',
    effect: 'The partner can take new payments again once Klarna has applied it.',
    button: 'Enable payment product',
    color: 'blue',
  },
};

/** Disable or enable a partner's payment product, with the reason Klarna's change is made for. */
export function ProductChangeModal({
  tenantId,
  partnerName,
  op,
  opened,
  onClose,
}: {
  tenantId: string;
  partnerName: string;
  op: ProductOperation;
  opened: boolean;
  onClose: () => void;
}) {
  const form = useSchemaForm(reasonSchema, { reason: '' });
  const change = useProductChange(tenantId, partnerName);
  const words = WORDS[op];
  const close = () => {
    form.reset();
    change.reset();
    onClose();
  };
  const submit = form.onSubmit((values) => {
    change.mutate(
      { op, reason: reasonSchema.parse(values).reason },
      {
        onSuccess: () => {
          notify({ color: 'blue', title: 'Sent to Klarna', message: `${words.title} of ${partnerName}: it can take up to 10 minutes to take effect at Klarna.` });
          close();
        },
        onError: (e) => applyServerErrors(form, e, FIELDS),
      },
    );
  });
  return (
    <Modal opened={opened} onClose={close} title={`${words.title} of ${partnerName}`} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">{words.effect}</Text>
          <Alert color="blue" variant="light" title="Klarna takes up to 10 minutes">
            The change is sent to Klarna at once, but it can take up to 10 minutes to take effect across Klarna. The status here changes when Klarna reports it.
          </Alert>
          <Textarea label="Reason" description="Kept in the product's history and the audit trail." rows={3} maxLength={MAX_REASON + 50} {...form.getInputProps('reason')} data-autofocus required />
          <FormError error={change.error} fields={FIELDS} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color={words.color} loading={change.isPending}>
              {words.button}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
