import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import { action, useApiMutation } from '@/lib/stepUp';

export type APIToken = Schemas['APIToken'];
export type APITokenCreate = Schemas['APITokenCreate'];
export type APITokenCreated = Schemas['APITokenCreated'];

/** The kind of the create action, so a resumed creation's secret reaches this page. */
export const CREATE_TOKEN = 'token:create';

export const tokensQuery = queryOptions({
  queryKey: ['tokens'],
  queryFn: ({ signal }) => api.get('/tokens', { signal }),
});

export function useCreateToken() {
  return useApiMutation({
    action: (body: APITokenCreate) => action('post', '/tokens', { body }, { kind: CREATE_TOKEN, label: `Create API token “${body.name}”` }),
    invalidate: [tokensQuery.queryKey],
  });
}

export function useRevokeToken() {
  return useApiMutation({
    action: (t: APIToken) => action('delete', '/tokens/{token}', { path: { token: t.id } }, { kind: 'token:revoke', label: `Revoke API token “${t.name}”` }),
    invalidate: [tokensQuery.queryKey],
  });
}
