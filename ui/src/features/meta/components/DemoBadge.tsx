import { Badge, Tooltip } from '@mantine/core';
import { useMeta } from '../api/meta';

/** "Demo" when the server runs against the Klarna simulator and the development IdP. */
export function DemoBadge() {
  const { data } = useMeta();
  if (!data?.demo) return null;
  return (
    <Tooltip label="Running against the Klarna simulator and the development identity provider. Nothing here reaches Klarna.">
      <Badge color="orange" variant="light" tabIndex={0}>
        Demo
      </Badge>
    </Tooltip>
  );
}
