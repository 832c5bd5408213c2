import type { PartnerDetail } from '../api/partners';

/** The partner page's "Brand data" tab (issue 10; being built). */
export function BrandDataTab({ detail }: { detail: PartnerDetail }) {
  void detail;
  return null;
}
