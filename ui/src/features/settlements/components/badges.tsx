import { Badge } from '@mantine/core';

/** Whether a payout's lines add up to its totals: yes, no (with the difference), or not yet known. */
export function ReconciledBadge({ reconciled }: { reconciled: boolean | null }) {
  if (reconciled === null) return <Badge color="gray" variant="light">Not checked yet</Badge>;
  return reconciled ? (
    <Badge color="teal" variant="light">
      Reconciles
    </Badge>
  ) : (
    <Badge color="red" variant="light">
      Does not reconcile
    </Badge>
  );
}
