import { infiniteQueryOptions } from '@tanstack/react-query';
import { api, API_BASE, type Schemas } from '@/lib/api';
import { queryString } from '@/lib/urlState';

export type AuditEvent = Schemas['AuditEvent'];

/** The filters of the audit list and the CSV export, as the API takes them (empty = no filter). */
export type AuditFilters = {
  actor?: string;
  action?: string;
  tenant?: string;
  from?: string;
  to?: string;
};

function clean(f: AuditFilters): AuditFilters {
  const out: AuditFilters = {};
  for (const [k, v] of Object.entries(f) as [keyof AuditFilters, string | undefined][]) {
    if (v && v.trim()) out[k] = v.trim();
  }
  return out;
}

export const auditQuery = (filters: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: ['audit', clean(filters)],
    queryFn: ({ signal, pageParam }) => api.get('/audit', { query: { ...clean(filters), cursor: pageParam, limit: 50 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

/** The CSV export's address for the same filters. */
export function exportUrl(filters: AuditFilters): string {
  return `${API_BASE}/audit/export.csv${queryString(filters)}`;
}
