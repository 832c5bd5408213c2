import { Button, Tooltip } from '@mantine/core';
import { notify } from '@/lib/notify';
import { useOpenPortal } from '../api/portal';

/** Why the Portal cannot be opened for this partner at all, or undefined when it can. */
export function portalUnavailable(p: { klarna_account_id: string; state: string }): string | undefined {
  if (!p.klarna_account_id) return 'This partner has no Klarna account yet.';
  if (p.state === 'DISABLED') return 'This partner’s Klarna account is disabled.';
  return undefined;
}

/**
 * "Open in Klarna Portal": on click (only then) the server asks Klarna for a single-use link and the
 * browser follows it. Failures say why in a notification.
 */
export function OpenPortalButton({
  partner,
  variant = 'default',
}: {
  partner: { tenant_id: string; name: string; klarna_account_id: string; state: string };
  variant?: 'default' | 'filled' | 'light';
}) {
  const open = useOpenPortal(partner.tenant_id);
  const why = portalUnavailable(partner);
  const button = (
    <Button
      variant={variant}
      loading={open.isPending}
      disabled={why !== undefined}
      onClick={() => open.mutate(partner.name, { onError: (e) => notify({ color: 'red', title: 'Could not open the Klarna Portal', message: e.message }) })}
    >
      Open in Klarna Portal
    </Button>
  );
  return why ? (
    <Tooltip label={why} withArrow>
      <span>{button}</span>
    </Tooltip>
  ) : (
    button
  );
}
