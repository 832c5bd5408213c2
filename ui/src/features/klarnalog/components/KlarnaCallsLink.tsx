import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { useTenant } from '@/features/identity';
import { klarnaCallsPath } from '../api/klarnalog';

/**
 * "Klarna calls": a link to the call log filtered to one of our objects (a dispute, a brand, an
 * onboarding draft) or one partner. Shown only to whoever may read the log (klarna:log:read).
 */
export function KlarnaCallsLink({ objectKind, objectId, partner, label = 'Klarna calls' }: { objectKind?: string; objectId?: string; partner?: string; label?: string }) {
  const { canAnywhere } = useTenant();
  if (!canAnywhere('klarna:log:read')) return null;
  if (objectKind && !objectId) return null;
  return (
    <Anchor component={Link} to={klarnaCallsPath({ objectKind, objectId, partner })} size="sm" onClick={(e) => e.stopPropagation()}>
      {label}
    </Anchor>
  );
}
