import { SegmentedControl } from '@mantine/core';
import { useLocation, useNavigate, useSearchParams } from 'react-router';

const VIEWS = [
  { value: '/partners', label: 'Directory' },
  { value: '/partners/onboarding', label: 'Onboarding board' },
];

/** Directory ↔ onboarding board; the tenant in the address stays, the directory's filters do not travel. */
export function PartnersTabs() {
  const { pathname } = useLocation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const tenant = params.get('tenant');
  return (
    <SegmentedControl
      mb="md"
      aria-label="Partners view"
      value={pathname === '/partners/onboarding' ? '/partners/onboarding' : '/partners'}
      data={VIEWS}
      onChange={(v) => void navigate({ pathname: v, search: tenant ? `?tenant=${encodeURIComponent(tenant)}` : '' })}
    />
  );
}
