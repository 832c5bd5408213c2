import { Badge, Code, Tooltip } from '@mantine/core';
import { unusedWarning, type Credential } from '../api/credentials';

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={status === 'ENABLED' ? 'green' : status === 'DISABLED' ? 'red' : 'gray'} variant="light">
      {status || 'Unknown'}
    </Badge>
  );
}

/** The warning before Klarna disables a key nobody uses (README §2.1: after two months unused). */
export function UnusedBadge({ credential, now }: { credential: Credential; now?: number }) {
  const text = unusedWarning(credential, now);
  if (!text) return null;
  return (
    <Tooltip label="Klarna disables API keys unused for more than two months. Use the key, or create a new one when it is disabled." multiline w={280}>
      <Badge color="orange" variant="light" tt="none" data-warning="unused">
        {text}
      </Badge>
    </Tooltip>
  );
}

/** A long Klarna id on one line, cut with an ellipsis (the whole id in its tooltip and to copy). */
export function IdCode({ id, width = 200 }: { id: string; width?: number }) {
  return (
    <Code title={id} style={{ display: 'inline-block', maxWidth: width, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', verticalAlign: 'middle' }}>
      {id}
    </Code>
  );
}
