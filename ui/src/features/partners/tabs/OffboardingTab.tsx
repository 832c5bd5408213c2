import type { PartnerDetail } from '../api/partners';

/** The partner page's "Offboarding" tab (issue 10; being built). */
export function OffboardingTab({ detail }: { detail: PartnerDetail }) {
  void detail;
  return null;
}
