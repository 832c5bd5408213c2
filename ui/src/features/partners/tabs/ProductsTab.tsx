import type { PartnerDetail } from '../api/partners';

/** The partner page's "Payment product and accounts" tab (issue 10; being built). */
export function ProductsTab({ detail }: { detail: PartnerDetail }) {
  void detail;
  return null;
}
