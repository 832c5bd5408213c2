import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '@/lib/api';
import { action, useApiMutation } from '@/lib/stepUp';
import { changeKeys } from './changes';
import { partnerKeys } from './partners';

export type PaymentProductView = Schemas['PaymentProductView'];
export type PaymentProductEvent = Schemas['PaymentProductEvent'];
export type Offboarding = Schemas['Offboarding'];
export type OffboardingStep = Schemas['OffboardingStep'];
export type ProductOperation = 'disable' | 'enable';

/** How often the product re-reads itself while Klarna has not shown a status we asked for. */
export const PRODUCT_POLL_MS = 2_000;
/** Klarna says a change can take up to this long to take effect (README §5.5). */
export const KLARNA_TAKES_MS = 10 * 60_000;
/** How often a running offboarding re-reads itself. */
export const OFFBOARDING_POLL_MS = 1_500;

export const productKeys = {
  product: (tenantId: string) => ['partners', 'payment-product', tenantId] as const,
  offboarding: (tenantId: string) => ['partners', 'offboarding', tenantId] as const,
};

/** A request Klarna has not shown yet, made within the time Klarna may take. */
export function awaitingKlarna(v: PaymentProductView | undefined, now = Date.now()): boolean {
  return !!v?.history.some((e) => e.kind === 'request' && !e.fulfilled_at && now - Date.parse(e.occurred_at) < KLARNA_TAKES_MS);
}

/** A partner's payment product, its payment accounts and its status history; re-read while Klarna has not caught up. */
export const paymentProductQuery = (tenantId: string) =>
  queryOptions({
    queryKey: productKeys.product(tenantId),
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/partner/payment-product', { path: { tenant: tenantId }, signal }),
    refetchInterval: (q) => (awaitingKlarna(q.state.data) ? PRODUCT_POLL_MS : false),
  });

/** Ask Klarna to disable or enable the product, with a reason (needs a recent login). */
export function useProductChange(tenantId: string, partnerName: string) {
  return useApiMutation({
    action: ({ op, reason }: { op: ProductOperation; reason: string }) => {
      const meta = { kind: `product:${op}`, label: `${op === 'disable' ? 'Disable' : 'Enable'} the payment product of ${partnerName}` };
      const opts = { path: { tenant: tenantId }, body: { reason } };
      return op === 'disable'
        ? action('post', '/tenants/{tenant}/partner/payment-product/disable', opts, meta)
        : action('post', '/tenants/{tenant}/partner/payment-product/enable', opts, meta);
    },
    invalidate: [productKeys.product(tenantId), changeKeys.all(tenantId), partnerKeys.detail(tenantId)],
  });
}

/** The partner's offboarding (status not_started when it has none); re-read while it runs. */
export const offboardingQuery = (tenantId: string) =>
  queryOptions({
    queryKey: productKeys.offboarding(tenantId),
    queryFn: ({ signal }) => api.get('/tenants/{tenant}/partner/offboarding', { path: { tenant: tenantId }, signal }),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? OFFBOARDING_POLL_MS : false),
  });

const offboardingInvalidates = (tenantId: string) => [productKeys.offboarding(tenantId), productKeys.product(tenantId), partnerKeys.detail(tenantId)];

/** Start the offboarding, with a reason (needs a recent login). */
export function useStartOffboarding(tenantId: string, partnerName: string) {
  return useApiMutation({
    action: (reason: string) =>
      action('post', '/tenants/{tenant}/partner/offboarding', { path: { tenant: tenantId }, body: { reason } }, { kind: 'partner:offboard', label: `Offboard ${partnerName}` }),
    invalidate: offboardingInvalidates(tenantId),
  });
}

/** Run a failed offboarding again from the step that failed. */
export function useResumeOffboarding(tenantId: string, partnerName: string) {
  return useApiMutation({
    action: () =>
      action('post', '/tenants/{tenant}/partner/offboarding/resume', { path: { tenant: tenantId } }, { kind: 'partner:offboard-resume', label: `Resume the offboarding of ${partnerName}` }),
    invalidate: offboardingInvalidates(tenantId),
  });
}
