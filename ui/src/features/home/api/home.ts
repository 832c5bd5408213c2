import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';

export type HomePage = Schemas['HomePage'];
export type HomeTile = Schemas['HomeTile'];

export const homeKeys = { page: (tenant: string) => ['home', tenant] as const };

/** The signed-in user's home in the selected tenant; refreshed every minute while open. */
export const homeQuery = (tenant: string) =>
  queryOptions({
    queryKey: homeKeys.page(tenant),
    queryFn: ({ signal }) => api.get('/home', { query: { tenant }, signal }),
    refetchInterval: 60_000,
  });

export const GROUP_LABEL: Record<HomePage['groups'][number], string> = {
  partners: 'Partners and integration',
  disputes: 'Disputes',
  settlements: 'Settlements',
};
