import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api';

export const metaQuery = queryOptions({
  queryKey: ['meta'],
  queryFn: ({ signal }) => api.get('/meta', { signal }),
  // Build facts do not change while the page is open.
  staleTime: Infinity,
});

export function useMeta() {
  return useQuery(metaQuery);
}
