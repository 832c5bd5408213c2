// A partner's answer to a dispute: the draft kept on the server, its files (uploaded with progress), and the
// actions sent to Klarna (represent, accept loss, appeal).
import { queryOptions } from '@tanstack/react-query';
import { api, API_BASE, CSRF_HEADER, currentCsrfToken, type Schemas } from '@/lib/api';
import { action, newIdempotencyKey, useApiMutation } from '@/lib/stepUp';
import { disputeKeys } from './disputes';

export type DisputeDraft = Schemas['DisputeDraft'];
export type DraftAttachment = Schemas['DisputeDraftAttachment'];
export type DisputeAction = Schemas['DisputeAction'];
export type DraftKind = 'represent' | 'appeal';

export const actionKeys = {
  draft: (id: string, kind: DraftKind) => ['disputes', 'draft', id, kind] as const,
  actions: (id: string) => ['disputes', 'actions', id] as const,
};

export const draftQuery = (id: string, kind: DraftKind) =>
  queryOptions({
    queryKey: actionKeys.draft(id, kind),
    queryFn: ({ signal }) => api.get('/disputes/{dispute}/draft', { path: { dispute: id }, query: { kind }, signal }),
  });

/** The dispute's actions, latest first; polled while one is pending. */
export const disputeActionsQuery = (id: string) =>
  queryOptions({
    queryKey: actionKeys.actions(id),
    queryFn: ({ signal }) => api.get('/disputes/{dispute}/actions', { path: { dispute: id }, signal }),
    refetchInterval: (q) => (q.state.data?.[0]?.status === 'pending' ? 1000 : false),
  });

export function useSaveDraft(id: string, kind: DraftKind) {
  return useApiMutation({
    action: (v: { additional_information: string; partner_proposed_refund_amount?: number | null; checklist: string[]; version: number }) =>
      action('put', '/disputes/{dispute}/draft', { path: { dispute: id }, body: { ...v, kind } }, { kind: 'dispute:draft', label: 'Save the draft answer' }),
    invalidate: [actionKeys.draft(id, kind)],
  });
}

export function useDeleteAttachment(id: string, kind: DraftKind) {
  return useApiMutation({
    action: (attachment: string) =>
      action('delete', '/disputes/{dispute}/draft/attachments/{attachment}', { path: { dispute: id, attachment }, query: { kind } }, { kind: 'dispute:draft', label: 'Remove the file' }),
    invalidate: [actionKeys.draft(id, kind)],
  });
}

export type SubmitKind = 'represent' | 'accept-loss' | 'appeal';

export function useSubmitAction(id: string) {
  return useApiMutation({
    action: (kind: SubmitKind) =>
      action('post', `/disputes/{dispute}/${kind}` as '/disputes/{dispute}/represent', { path: { dispute: id }, idempotencyKey: newIdempotencyKey() }, {
        kind: 'dispute:respond',
        label: kind === 'accept-loss' ? 'Accept the loss' : kind === 'appeal' ? 'Appeal the decision' : 'Submit the evidence',
      }),
    invalidate: [actionKeys.actions(id), disputeKeys.all],
  });
}

export interface UploadError {
  status: number;
  message: string;
}

/**
 * Uploads one file with XMLHttpRequest (fetch reports no upload progress), with the same CSRF header and
 * credentials as the API client, and an Idempotency-Key so a retry attaches nothing twice.
 */
export function uploadEvidence(id: string, kind: DraftKind, file: File, onProgress: (fraction: number) => void): Promise<DraftAttachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}/disputes/${encodeURIComponent(id)}/draft/attachments?kind=${kind}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    const token = currentCsrfToken();
    if (token) xhr.setRequestHeader(CSRF_HEADER, token);
    xhr.setRequestHeader('Idempotency-Key', newIdempotencyKey());
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as DraftAttachment);
        return;
      }
      const p = body as { detail?: string; title?: string; errors?: { message: string }[] } | undefined;
      reject({ status: xhr.status, message: p?.errors?.map((e) => e.message).join('; ') || p?.detail || p?.title || `The server answered ${xhr.status}` } satisfies UploadError);
    };
    xhr.onerror = () => reject({ status: 0, message: 'The upload was interrupted; try again (the file is not attached twice).' } satisfies UploadError);
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

export const draftFileUrl = (id: string, kind: DraftKind, attachment: string) =>
  `${API_BASE}/disputes/${encodeURIComponent(id)}/draft/attachments/${attachment}?kind=${kind}`;
