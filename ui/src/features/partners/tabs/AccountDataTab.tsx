import type { PartnerDetail } from '../api/partners';

/** The partner page's "Account and business entities" tab (issue 10; being built). */
export function AccountDataTab({ detail }: { detail: PartnerDetail }) {
  void detail;
  return null;
}
