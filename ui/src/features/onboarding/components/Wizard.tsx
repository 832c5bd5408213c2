// The onboarding wizard over one draft: steps with their own rules (every
// problem of a step shown at once before moving on), the server's validation
// and Klarna's refusal on the same fields, auto-save as the admin goes
// (debounced PUT with the draft's version), and the review with the exact
// payload and Submit.
import { Alert, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, type FieldError } from '@/lib/api';
import { nestedFormErrors, schemaErrors, useSchemaForm, valueAt } from '@/lib/form';
import { catalogueQuery, draftKey, saveDraft, useSubmitDraft, type Draft } from '../api/onboarding';
import { errorsOfStep, fieldId, fromPayload, startingValues, STEPS, stepOf, toPayload, type OnboardingValues, type StepId, isStepId } from '../model';
import { onboardingSchema, type ExistingRefs } from '../schema';
import { WizardFieldsProvider } from './fields';
import { ReviewStep } from './ReviewStep';
import { AccountStep, BrandsStep, EntitiesStep, PaymentStep, StoreGroupsStep, StoresStep } from './steps';

const SAVE_DELAY_MS = 800;
const stepIndex = (s: StepId) => STEPS.findIndex((x) => x.id === s);

type SaveState = 'saved' | 'pending' | 'saving' | 'stale' | 'error';

/** Server errors (server paths) with the values they were given for: shown while the field still holds that value. */
interface ServerErrors {
  errors: Record<string, string>;
  values: OnboardingValues;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function stillHolds(server: ServerErrors | undefined, values: OnboardingValues): Record<string, string> {
  if (!server) return {};
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(server.errors)) if (same(valueAt(values, path), valueAt(server.values, path))) out[path] = message;
  return out;
}

function toServerErrors(errors: readonly FieldError[] | undefined, values: OnboardingValues): ServerErrors | undefined {
  return errors && errors.length > 0 ? { errors: nestedFormErrors(errors, values), values } : undefined;
}

/** Whether an existing-resource path (e.g. `brands.0`) names something the account already holds. */
function existingAt(values: OnboardingValues, existing: ExistingRefs, incremental: boolean, path: string): boolean {
  if (!incremental) return false;
  // The account itself exists: its contact is changed on the partner's page, not by onboarding.
  if (path.startsWith('partner_account_')) return true;
  const m = /^(partner_business_entities|brands|store_groups|payment_product\.payment_accounts)\.(\d+)(?:\.stores\.(\d+))?/.exec(path);
  if (!m) return false;
  const [, list, i, j] = m;
  const item = valueAt(values, `${list}.${i}`) as Record<string, unknown> | undefined;
  if (!item) return false;
  switch (list) {
    case 'partner_business_entities':
      return existing.business_entities.includes(String(item.partner_business_entity_reference));
    case 'brands':
      return existing.brands.includes(String(item.brand_reference));
    case 'store_groups': {
      if (j !== undefined) {
        const store = valueAt(values, `store_groups.${i}.stores.${j}`) as Record<string, unknown> | undefined;
        if (store && existing.stores.includes(String(store.store_reference))) return true;
        // A new store in an existing group is new: only the group's own fields are read-only.
        return false;
      }
      const own = path === `store_groups.${i}` || !path.startsWith(`store_groups.${i}.stores`);
      return own && existing.store_groups.includes(String(item.store_group_reference));
    }
    default:
      return existing.payment_accounts.some(
        (p) => p.payment_acquiring_account_id === item.payment_acquiring_account_id && p.payment_account_reference === item.payment_account_reference,
      );
  }
}

export function Wizard({ draft, onReload }: { draft: Draft; onReload: () => void }) {
  const queryClient = useQueryClient();
  const incremental = draft.kind === 'incremental';
  const existing = draft.existing;
  const schema = useMemo(() => onboardingSchema({ kind: draft.kind, existing }), [draft.kind, existing]);
  const initial = useMemo(() => startingValues(draft.kind, draft.payload as Record<string, unknown>), [draft.kind, draft.payload]);
  const form = useSchemaForm(schema, initial);
  const values = form.values;
  const catalogue = useQuery(catalogueQuery());

  // `?step=` (e.g. "Add payment account" on a partner's page) opens an incremental draft at that step.
  const [params] = useSearchParams();
  const askedStep = params.get('step');
  const startStep: StepId = incremental && isStepId(askedStep) ? askedStep : isStepId(draft.step) ? draft.step : 'account';
  const [step, setStep] = useState<StepId>(startStep);
  const [reached, setReached] = useState(() => stepIndex(startStep));
  const [blocked, setBlocked] = useState(0);
  // A field to focus once its step is on screen (a new object for each request).
  const [focusPath, setFocusPath] = useState<{ path: string }>();

  // What the server said: its validation of the last save, Klarna's refusal of the last submission, a refused submit.
  const [validation, setValidation] = useState(() => toServerErrors(draft.validation, initial));
  const [klarna] = useState(() => toServerErrors(draft.field_errors, initial));
  const [submitErrors, setSubmitErrors] = useState<ServerErrors>();

  // ---- auto-save ----
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [saveError, setSaveError] = useState<unknown>();
  const [version, setVersion] = useState(draft.version);
  const versionRef = useRef(draft.version);
  const payloadJson = useMemo(() => JSON.stringify(toPayload(values)), [values]);
  const latest = useRef({ json: payloadJson, step: step as string });
  useEffect(() => {
    latest.current = { json: payloadJson, step };
  }, [payloadJson, step]);
  const saved = useRef({ json: JSON.stringify(toPayload(initial)), step: draft.step });
  const chain = useRef<Promise<void>>(Promise.resolve());
  const staleRef = useRef(false);

  const saveNow = useCallback((): Promise<void> => {
    chain.current = chain.current.then(async () => {
      const { json, step: st } = latest.current;
      if (staleRef.current || (json === saved.current.json && st === saved.current.step)) return;
      setSaveState('saving');
      try {
        const d = await saveDraft(draft.id, { version: versionRef.current, step: st, payload: JSON.parse(json) as Record<string, unknown> });
        versionRef.current = d.version;
        saved.current = { json, step: st };
        setVersion(d.version);
        setValidation(toServerErrors(d.validation, fromPayload(JSON.parse(json) as Record<string, unknown>)));
        queryClient.setQueryData(draftKey(draft.id), d);
        setSaveError(undefined);
        setSaveState(latest.current.json === json && latest.current.step === st ? 'saved' : 'pending');
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          staleRef.current = true;
          setSaveState('stale');
        } else {
          setSaveError(e);
          setSaveState('error');
        }
      }
    });
    return chain.current;
  }, [draft.id, queryClient]);

  useEffect(() => {
    if (staleRef.current || (payloadJson === saved.current.json && step === saved.current.step)) return;
    setSaveState('pending');
    const t = setTimeout(() => void saveNow(), SAVE_DELAY_MS);
    return () => clearTimeout(t);
  }, [payloadJson, step, saveNow]);

  // ---- errors on fields ----
  const serverShown = useMemo(() => {
    const visited = (path: string) => stepIndex(stepOf(path)) < reached || stepOf(path) === 'review';
    const fromSave = Object.fromEntries(Object.entries(stillHolds(validation, values)).filter(([p]) => visited(p)));
    return { ...fromSave, ...stillHolds(klarna, values), ...stillHolds(submitErrors, values) };
  }, [validation, klarna, submitErrors, values, reached]);

  const errorOf = useCallback((path: string) => (form.errors[path] as string | undefined) ?? serverShown[path], [form.errors, serverShown]);
  const isExisting = useCallback((path: string) => existingAt(values, existing, incremental, path), [values, existing, incremental]);
  const fields = useMemo(() => ({ form, errorOf, isExisting }), [form, errorOf, isExisting]);

  /** The problems that keep the admin on `s`: its rules' (a default store group the later steps define is checked there). */
  const problemsOf = useCallback(
    (s: StepId) => {
      const errors = errorsOfStep(schemaErrors(schema, form.getValues()), s);
      if (stepIndex(s) < stepIndex('store_groups')) {
        for (const [p, m] of Object.entries(errors)) if (p.endsWith('.default_store_group_reference') && m.startsWith('No store group')) delete errors[p];
      }
      return errors;
    },
    [schema, form],
  );

  const go = (target: StepId) => {
    if (stepIndex(target) > stepIndex(step)) {
      // Moving on: every problem of this step at once, and stay.
      const errors = problemsOf(step);
      if (Object.keys(errors).length > 0) {
        form.setErrors(errors);
        setBlocked(Object.keys(errors).length);
        const first = Object.keys(errors)[0];
        if (first) setFocusPath({ path: first });
        return;
      }
      if (stepIndex(target) > reached + 1) return;
    }
    setBlocked(0);
    form.clearErrors();
    setStep(target);
    setReached((r) => Math.max(r, stepIndex(target)));
    if (target === 'review') void saveNow();
    window.scrollTo?.({ top: 0 });
  };

  /** From the review's list: to the field's step, with that step's problems shown, the field focused. */
  const jump = (path: string) => {
    const s = stepOf(path);
    setStep(s);
    setBlocked(0);
    form.setErrors(errorsOfStep(schemaErrors(schema, form.getValues()), s));
    setFocusPath({ path });
  };

  useEffect(() => {
    if (!focusPath) return;
    const el = document.getElementById(fieldId(focusPath.path));
    if (el) {
      el.scrollIntoView?.({ block: 'center' });
      el.focus();
    }
  }, [focusPath]);

  // ---- submit ----
  const submit = useSubmitDraft(draft.id);
  const doSubmit = async () => {
    await saveNow();
    if (staleRef.current) return;
    const errors = schemaErrors(schema, form.getValues());
    if (Object.keys(errors).length > 0) return;
    submit.mutate(undefined, {
      onError: (e) => {
        if (e instanceof ApiError && e.fieldErrors.length > 0) setSubmitErrors(toServerErrors(e.fieldErrors, form.getValues()));
      },
    });
  };

  const clientAll = step === 'review' ? schemaErrors(schema, values) : {};
  const reviewProblems = { ...stillHolds(validation, values), ...stillHolds(klarna, values), ...stillHolds(submitErrors, values), ...clientAll };

  const stepBody = (() => {
    switch (step) {
      case 'account':
        return <AccountStep incremental={incremental} />;
      case 'entities':
        return <EntitiesStep values={values} />;
      case 'payment':
        return <PaymentStep values={values} catalogue={catalogue.data} existing={existing} />;
      case 'brands':
        return <BrandsStep values={values} />;
      case 'store_groups':
        return <StoreGroupsStep values={values} existing={existing} />;
      case 'stores':
        return <StoresStep values={values} />;
      case 'review':
        return (
          <ReviewStep
            draftId={draft.id}
            version={version}
            upToDate={saveState === 'saved'}
            problems={reviewProblems}
            onJump={jump}
            onSubmit={() => void doSubmit()}
            submitting={submit.isPending}
            submitError={submit.error}
          />
        );
    }
  })();

  const current = STEPS[stepIndex(step)];
  const next = STEPS[stepIndex(step) + 1];
  const prev = STEPS[stepIndex(step) - 1];

  return (
    <WizardFieldsProvider value={fields}>
      <Stack>
        <Group gap={6} component="nav" aria-label="Wizard steps" wrap="wrap">
          {STEPS.map((s, i) => (
            <Button
              key={s.id}
              size="compact-sm"
              variant={s.id === step ? 'filled' : i <= reached ? 'light' : 'default'}
              aria-current={s.id === step ? 'step' : undefined}
              disabled={i > reached + 1}
              onClick={() => go(s.id)}
            >
              {i + 1}. {s.label}
            </Button>
          ))}
        </Group>
        <SaveStatus state={saveState} error={saveError} onReload={onReload} onRetry={() => void saveNow()} />
        <Paper withBorder p={{ base: 'sm', sm: 'lg' }}>
          <Stack>
            <div>
              <Text fw={700} size="lg" component="h2" m={0}>
                {current?.label}
              </Text>
              <Text c="dimmed" size="sm">
                {current?.description}
              </Text>
            </div>
            {blocked > 0 && (
              <Alert color="red" variant="light" role="alert" title={blocked === 1 ? 'One field needs your attention' : `${blocked} fields need your attention`}>
                Each is marked below. Fix them to go on; what you typed is saved as a draft meanwhile.
              </Alert>
            )}
            {stepBody}
          </Stack>
        </Paper>
        <Group justify="space-between">
          <Button variant="default" onClick={() => prev && go(prev.id)} disabled={!prev}>
            Back
          </Button>
          {next && <Button onClick={() => go(next.id)}>Next: {next.label}</Button>}
        </Group>
      </Stack>
    </WizardFieldsProvider>
  );
}

function SaveStatus({ state, error, onReload, onRetry }: { state: SaveState; error: unknown; onReload: () => void; onRetry: () => void }) {
  if (state === 'stale') {
    return (
      <Alert color="orange" role="alert" title="Another admin saved this draft">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">Your latest changes were not saved over theirs. Reload to see the draft as it is now, then make your changes again.</Text>
          <Button size="xs" onClick={onReload}>
            Reload the draft
          </Button>
        </Stack>
      </Alert>
    );
  }
  if (state === 'error') {
    return (
      <Alert color="red" role="alert" title="Not saved">
        <Group justify="space-between">
          <Text size="sm">{error instanceof Error ? error.message : String(error)}</Text>
          <Button size="xs" variant="light" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      </Alert>
    );
  }
  return (
    <Text size="sm" c="dimmed" aria-live="polite" data-testid="save-status">
      {state === 'saved' ? 'All changes saved as a draft.' : 'Saving…'}
    </Text>
  );
}
