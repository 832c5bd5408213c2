import { PartnerCredentials } from '@/features/credentials';
import type { PartnerDetail } from '../api/partners';

/** The partner page's "Credentials" tab: the partner's Klarna API keys, client identifiers and certificates. */
export function CredentialsTab({ detail }: { detail: PartnerDetail }) {
  return <PartnerCredentials tenantId={detail.summary.tenant_id} />;
}
