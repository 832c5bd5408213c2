// /onboarding/new — starts a draft (a new partner, or `?partner=<tenant id>`
// to add to one) and opens it, at `?step=` when given (an incremental draft).
// `?tenant=` is the tenant switcher's, not ours.
import { useEffect, useRef } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageLoader } from '@/components/PageLoader';
import { useCreateDraft } from '../api/onboarding';

export function NewOnboardingPage() {
  const [params] = useSearchParams();
  const partner = params.get('partner')?.trim() || undefined;
  const step = params.get('step');
  const create = useCreateDraft();
  const navigate = useNavigate();
  const started = useRef(false);

  const start = () =>
    create.mutate(partner ? { kind: 'incremental', tenant_id: partner } : { kind: 'new' }, {
      onSuccess: (d) => navigate(`/onboarding/drafts/${d.id}${partner && step ? `?step=${encodeURIComponent(step)}` : ''}`, { replace: true }),
    });

  useEffect(() => {
    // Once per visit (the ref survives React's development double effects).
    if (started.current) return;
    started.current = true;
    start();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  if (create.isError) return <ErrorPanel error={create.error} title="Could not start the onboarding" onRetry={start} />;
  return <PageLoader label="Starting a draft" />;
}
