import type { PartnerDetail } from '../api/partners';

/** The partner page's "Credentials" tab (issue 10; being built). */
export function CredentialsTab({ detail }: { detail: PartnerDetail }) {
  void detail;
  return null;
}
