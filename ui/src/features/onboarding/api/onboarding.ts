import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE, request, type Schemas } from '@/lib/api';
import { action, newIdempotencyKey, useApiMutation } from '@/lib/stepUp';
import type { OnboardingPayload } from '../model';

export type Draft = Schemas['OnboardingDraft'];
export type DraftSummary = Schemas['OnboardingDraftSummary'];
export type DraftStatus = Schemas['OnboardingStatus'];
export type Catalogue = Schemas['OnboardingCatalogue'];
export type ConflictItem = Schemas['OnboardingConflictItem'];
export type ResolveBody = Schemas['OnboardingResolve'];
export type BulkRun = Schemas['BulkRun'];
export type BulkRow = Schemas['BulkRow'];
export type BulkRowStatus = NonNullable<NonNullable<NonNullable<Parameters<typeof api.get<'/onboarding/bulk/{run}/rows'>>[1]>['query']>['status']>;

export const STATUS_LABEL: Record<DraftStatus, string> = {
  draft: 'draft',
  submitted: 'submitted',
  succeeded: 'onboarded',
  rejected: 'rejected by Klarna',
  conflict: 'conflict at Klarna',
  failed: 'failed',
};

export const STATUS_COLOR: Record<DraftStatus, string> = {
  draft: 'gray',
  submitted: 'blue',
  succeeded: 'green',
  rejected: 'red',
  conflict: 'orange',
  failed: 'red',
};

// ---- drafts ----

export const catalogueQuery = () =>
  queryOptions({ queryKey: ['onboarding', 'catalogue'], queryFn: ({ signal }) => api.get('/onboarding/catalogue', { signal }), staleTime: 60_000 });

export const draftsQuery = (status?: DraftStatus) =>
  infiniteQueryOptions({
    queryKey: ['onboarding', 'drafts', status ?? ''],
    queryFn: ({ signal, pageParam }) => api.get('/onboarding/drafts', { query: { status, cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

export const draftKey = (id: string) => ['onboarding', 'draft', id] as const;

/** One draft; while it is submitted, read again every 2 s until Klarna answered. */
export const draftQuery = (id: string) =>
  queryOptions({
    queryKey: draftKey(id),
    queryFn: ({ signal }) => api.get('/onboarding/drafts/{draft}', { path: { draft: id }, signal }),
    refetchInterval: (q) => (q.state.data?.status === 'submitted' ? 2000 : false),
  });

/** The exact body submitting sends to Klarna, for the draft as last saved (its version). */
export const payloadQuery = (id: string, version: number) =>
  queryOptions({
    queryKey: ['onboarding', 'payload', id, version],
    queryFn: ({ signal }) => api.get('/onboarding/drafts/{draft}/payload', { path: { draft: id }, signal }),
  });

/** The partner an onboarding created, read every 3 s until its account is OPERATIONAL (or DISABLED). */
export const partnerStateQuery = (tenantId: string) =>
  queryOptions({
    queryKey: ['onboarding', 'partner-state', tenantId],
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/partner', { path: { tenant: tenantId }, signal }),
    refetchInterval: (q) => {
      const state = q.state.data?.summary.state;
      return state === 'OPERATIONAL' || state === 'DISABLED' ? false : 3000;
    },
  });

export function useCreateDraft() {
  return useApiMutation({
    action: (body: Schemas['OnboardingDraftCreate']) =>
      action('post', '/onboarding/drafts', { body }, { kind: 'onboarding:create', label: body.kind === 'new' ? 'Start onboarding a new partner' : 'Start adding to a partner' }),
    invalidate: [['onboarding', 'drafts']],
  });
}

/** Saves the draft (PUT with the version the edit started from); the answer is the saved draft with its validation. */
export function saveDraft(id: string, body: { version: number; step: string; payload: OnboardingPayload }) {
  return request('put', '/onboarding/drafts/{draft}', {
    path: { draft: id },
    body: body as Schemas['OnboardingDraftSave'],
    idempotencyKey: newIdempotencyKey(),
  });
}

export function useSubmitDraft(id: string) {
  const queryClient = useQueryClient();
  return useApiMutation({
    action: () => action('post', '/onboarding/drafts/{draft}/submit', { path: { draft: id } }, { kind: 'onboarding:submit', label: 'Submit the onboarding to Klarna' }),
    invalidate: [['onboarding', 'drafts']],
    onSuccess: (draft) => queryClient.setQueryData(draftKey(id), draft),
  });
}

export function useResolveConflict(id: string) {
  const queryClient = useQueryClient();
  return useApiMutation({
    action: (body: ResolveBody) =>
      action('post', '/onboarding/drafts/{draft}/resolve', { path: { draft: id }, body }, { kind: 'onboarding:resolve', label: `Settle the conflict on ${body.reference}` }),
    onSuccess: (draft) => queryClient.setQueryData(draftKey(id), draft),
  });
}

export function useDiscardDraft() {
  return useApiMutation({
    action: (id: string) => action('delete', '/onboarding/drafts/{draft}', { path: { draft: id } }, { kind: 'onboarding:discard', label: 'Discard the draft' }),
    invalidate: [['onboarding', 'drafts']],
  });
}

// ---- bulk ----

export const bulkRunsQuery = () =>
  infiniteQueryOptions({
    queryKey: ['onboarding', 'bulk', 'runs'],
    queryFn: ({ signal, pageParam }) => api.get('/onboarding/bulk', { query: { cursor: pageParam, limit: 20 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

/** One run; while it is running, read again every 1.5 s (the progress bar). */
export const bulkRunQuery = (id: string) =>
  queryOptions({
    queryKey: ['onboarding', 'bulk', 'run', id],
    queryFn: ({ signal }) => api.get('/onboarding/bulk/{run}', { path: { run: id }, signal }),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1500 : false),
  });

export const bulkRowsQuery = (id: string, status: BulkRowStatus | undefined, live: boolean) =>
  infiniteQueryOptions({
    queryKey: ['onboarding', 'bulk', 'rows', id, status ?? ''],
    queryFn: ({ signal, pageParam }) => api.get('/onboarding/bulk/{run}/rows', { path: { run: id }, query: { status, cursor: pageParam, limit: 100 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: live ? 3000 : false,
  });

export const BULK_TEMPLATE_URL = `${API_BASE}/onboarding/bulk/template.csv`;
export const bulkResultsUrl = (id: string) => `${API_BASE}/onboarding/bulk/${encodeURIComponent(id)}/results.csv`;

/** Uploads a CSV for its dry run (one Idempotency-Key per chosen file, so a retry does not make a second run). */
export function useUploadBulk() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, key }: { file: File; key: string }) =>
      request('post', '/onboarding/bulk', { query: { filename: file.name }, raw: { type: 'text/csv', body: file }, idempotencyKey: key }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['onboarding', 'bulk', 'runs'] }),
  });
}

export function useStartBulk(id: string) {
  const queryClient = useQueryClient();
  return useApiMutation({
    action: () => action('post', '/onboarding/bulk/{run}/start', { path: { run: id } }, { kind: 'onboarding:bulk-start', label: 'Start the bulk onboarding' }),
    invalidate: [['onboarding', 'bulk']],
    onSuccess: (run) => queryClient.setQueryData(['onboarding', 'bulk', 'run', id], run),
  });
}

export function useCancelBulk(id: string) {
  const queryClient = useQueryClient();
  return useApiMutation({
    action: () => action('post', '/onboarding/bulk/{run}/cancel', { path: { run: id } }, { kind: 'onboarding:bulk-cancel', label: 'Cancel the bulk onboarding' }),
    invalidate: [['onboarding', 'bulk']],
    onSuccess: (run) => queryClient.setQueryData(['onboarding', 'bulk', 'run', id], run),
  });
}
