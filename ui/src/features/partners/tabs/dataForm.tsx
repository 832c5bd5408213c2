// The pieces the brand and account data tabs share: a form for one resource
// (the onboarding rules, every invalid field at once, the server's and
// Klarna's field errors on the fields, Klarna's fixed fields read-only with
// the reason), the resource's header (Klarna id, our reference, its latest
// change) and the image address field with its preview and check.
import { Badge, Button, Group, Image, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { FormError } from '@/components/FormError';
import { TextField, WizardFieldsProvider, isWebUrl, useWizardFields, type WizardFields } from '@/features/onboarding';
import { ApiError, type FieldError } from '@/lib/api';
import { nestedFormErrors, useSchemaForm, valueAt } from '@/lib/form';
import { notify } from '@/lib/notify';
import { ChangeStatus } from '../components/ChangeStatus';
import { CopyId } from '@/components/CopyId';
import type { PartnerChange } from '../api/changes';
import { checkImage, useSaveData, type DataSave, type ImageCheck } from '../api/partnerData';


/** A resource's card: its kind and name, Klarna's id, our reference, its latest change, and what it holds. */
export function ResourceCard({
  kind,
  title,
  klarnaId,
  reference,
  tenantId,
  change,
  extra,
  children,
  level = 3,
}: {
  kind: string;
  title: string;
  klarnaId: string;
  reference: string;
  tenantId: string;
  change: PartnerChange | undefined;
  extra?: ReactNode;
  children?: ReactNode;
  level?: 3 | 4 | 5;
}) {
  const name = `${kind} ${title}`;
  return (
    <Paper withBorder p="sm" component="section" aria-label={name}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={2}>
          <Group gap="xs">
            <Badge variant="default" size="sm" tt="none">
              {kind}
            </Badge>
            <Title order={level} size="h5">
              {title}
            </Title>
          </Group>
          <Group gap="lg" wrap="wrap">
            <CopyId label="Klarna id" value={klarnaId} of={name} />
            <CopyId label="Our reference" value={reference} of={name} />
          </Group>
        </Stack>
        <Group gap="xs" wrap="nowrap" role="group" aria-label={`Latest change of ${name}`}>
          <ChangeStatus tenantId={tenantId} change={change} />
        </Group>
      </Group>
      {extra}
      {children && (
        <Stack gap="sm" mt="sm">
          {children}
        </Stack>
      )}
    </Paper>
  );
}

/** Server field paths (the body's) under the form's `prefix`. */
function underPrefix(errors: readonly FieldError[], prefix: string): FieldError[] {
  return prefix ? errors.map((e) => ({ ...e, field: `${prefix}.${e.field}` })) : [...errors];
}

/**
 * A form for one resource. `locked` are the form paths Klarna keeps for
 * good, with the reason (shown read-only); `failed` a refused change of the
 * resource, whose field errors Klarna named land on the fields.
 */
export function DataForm<V extends Record<string, unknown>>({
  label,
  schema,
  initial,
  prefix = '',
  locked,
  failed,
  canEdit,
  tenantId,
  toSave,
  onDone,
  children,
}: {
  label: string;
  schema: z.ZodType;
  initial: V;
  prefix?: string;
  locked: Record<string, string>;
  failed?: PartnerChange;
  canEdit: boolean;
  tenantId: string;
  toSave: (values: V) => DataSave;
  onDone?: () => void;
  children: ReactNode;
}) {
  const form = useSchemaForm<V>(schema, initial);
  const save = useSaveData(tenantId);
  const [error, setError] = useState<unknown>(null);
  const failedId = failed?.status === 'failed' ? failed.id : undefined;
  useEffect(() => {
    if (failed && failedId) form.setErrors(nestedFormErrors(underPrefix(failed.field_errors, prefix), form.getValues()));
    // Only when another refused change arrives: editing clears a field's error.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [failedId]);
  const fields: WizardFields = useMemo(
    () => ({
      form: form as unknown as WizardFields['form'],
      errorOf: (path: string) => {
        const e = form.errors[path];
        return e ? String(e) : undefined;
      },
      isExisting: (path: string) => !canEdit || path in locked,
    }),
    [form, canEdit, locked],
  );
  const reasons = [...new Set(Object.values(locked))];
  const submit = form.onSubmit((values) => {
    setError(null);
    save.mutate(toSave(values), {
      onSuccess: () => {
        notify({ color: 'green', title: 'Sent to Klarna', message: `${label}: queued; its status shows here once Klarna answers.` });
        onDone?.();
      },
      onError: (e) => {
        setError(e);
        if (e instanceof ApiError) form.setErrors(nestedFormErrors(underPrefix(e.fieldErrors, prefix), form.getValues()));
      },
    });
  });
  const values = form.getValues();
  const bodyFields = Object.keys((prefix ? values[prefix] : values) as Record<string, unknown>);
  return (
    <form onSubmit={submit} noValidate aria-label={label}>
      <WizardFieldsProvider value={fields}>
        <Stack gap="sm">
          {children}
          {reasons.length > 0 && (
            <Stack gap={2}>
              {reasons.map((r) => (
                <Text key={r} size="xs" c="dimmed">
                  Read-only: {r}
                </Text>
              ))}
            </Stack>
          )}
          <FormError error={error} fields={bodyFields} />
          {canEdit && (
            <Group>
              <Button type="submit" loading={save.isPending}>
                Save and send to Klarna
              </Button>
              {onDone && (
                <Button variant="subtle" onClick={onDone}>
                  Cancel
                </Button>
              )}
            </Group>
          )}
        </Stack>
      </WizardFieldsProvider>
    </form>
  );
}

const IMAGE_WORDS: Record<ImageCheck['status'], { color: string; label: string }> = {
  reachable: { color: 'green', label: 'Reachable image' },
  unreachable: { color: 'red', label: 'Not reachable' },
  not_image: { color: 'orange', label: 'Not an image' },
};

/** An image address with its preview and a check of what Klarna will find there. */
export function ImageUrlField({ path, label, tenantId }: { path: string; label: string; tenantId: string }) {
  const { form } = useWizardFields();
  const url = String(valueAt(form.getValues(), path) ?? '').trim();
  const [result, setResult] = useState<{ url: string; check: ImageCheck } | null>(null);
  const [checking, setChecking] = useState(false);
  const current = result?.url === url ? result.check : undefined;
  const run = async () => {
    setChecking(true);
    try {
      setResult({ url, check: await checkImage(tenantId, url) });
    } catch (e) {
      notify({ color: 'red', title: 'Could not check the image', message: e instanceof Error ? e.message : String(e) });
    } finally {
      setChecking(false);
    }
  };
  return (
    <Group align="flex-end" wrap="nowrap" gap="sm">
      <div style={{ flex: 1 }}>
        <TextField path={path} label={label} type="url" placeholder="https://…" />
      </div>
      {url && isWebUrl(url) && (
        <>
          <Image src={url} alt={`${label} preview`} w={48} h={48} fit="contain" radius="sm" fallbackSrc="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E" />
          <Button variant="light" size="xs" onClick={() => void run()} loading={checking} aria-label={`Check ${label}`}>
            Check
          </Button>
        </>
      )}
      {current && (
        <Tooltip label={current.message} withArrow multiline w={280}>
          <Badge color={IMAGE_WORDS[current.status].color} variant="light">
            {IMAGE_WORDS[current.status].label}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

/**
 * A form's first values: the resource as Klarna holds it, or, when Klarna
 * refused the latest change of it, what that change sent (so each field
 * Klarna named shows the value it refused). `sent` maps the change's payload
 * onto the form's values.
 */
export function startValues<V>(current: V, latest: PartnerChange | undefined, sent: (payload: Record<string, unknown>) => Partial<V>): V {
  if (latest?.status !== 'failed' || latest.operation !== 'update') return current;
  return { ...current, ...sent(latest.payload) };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** A brand's, store's or contact's PATCH body as form values (Klarna's shape: element.*, partner_account_contact.*). */
export function sentFields(payload: Record<string, unknown>): Record<string, string> {
  const el = (payload.element ?? {}) as Record<string, unknown>;
  const contact = (payload.partner_account_contact ?? {}) as Record<string, unknown>;
  return defined({
    display_name: text(payload.display_name),
    logo_url: text(el.logo_url),
    icon_url: text(el.icon_url),
    feature_image_url: text(el.feature_image_url),
    type: text(payload.type),
    url: text(payload.url),
    given_name: text(contact.given_name),
    family_name: text(contact.family_name),
    email: text(contact.email),
    phone: text(contact.phone),
  }) as Record<string, string>;
}

/** "Edit …" / "Add …" and the form it opens. */
export function Toggle({ canEdit, label, open: initiallyOpen = false, children }: { canEdit: boolean; label: string; open?: boolean; children: (close: () => void) => ReactNode }) {
  // Until the user opens or closes it, a refused change (read after the first render too) opens the form on its errors.
  const [toggled, setOpen] = useState<boolean | null>(null);
  const open = toggled ?? initiallyOpen;
  if (!canEdit) return null;
  if (!open)
    return (
      <Group>
        <Button variant="light" size="xs" onClick={() => setOpen(true)}>
          {label}
        </Button>
      </Group>
    );
  return <>{children(() => setOpen(false))}</>;
}


const KIND_WORD: Record<string, string> = { brand: 'brand', store_group: 'store group', store: 'store', business_entity: 'business entity' };

/** New resources Klarna has not created yet, or refused to create. */
export function PendingCreates({ tenantId, changes, kinds, known }: { tenantId: string; changes: readonly PartnerChange[]; kinds: Set<string>; known: Set<string> }) {
  const seen = new Set<string>();
  const open = changes.filter((c) => {
    const key = `${c.kind}/${c.resource_ref}`;
    if (c.operation !== 'create' || !kinds.has(c.kind) || seen.has(key)) return false;
    seen.add(key);
    return c.status !== 'applied' || !known.has(c.resource_id);
  });
  if (open.length === 0) return null;
  return (
    <Stack gap="xs" aria-label="New resources on their way to Klarna">
      {open.map((c) => (
        <Group key={c.id} gap="sm">
          <Text size="sm">
            New {KIND_WORD[c.kind] ?? c.kind} <b>{c.resource_ref}</b>
          </Text>
          <ChangeStatus tenantId={tenantId} change={c} />
        </Group>
      ))}
    </Stack>
  );
}

