import type { PartnerDetail } from '../api/partners';

/** The partner page's "Change history" tab (issue 10; being built). */
export function ChangeHistoryTab({ detail }: { detail: PartnerDetail }) {
  void detail;
  return null;
}
