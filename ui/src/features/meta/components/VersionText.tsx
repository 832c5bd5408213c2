import { Text } from '@mantine/core';
import { useMeta } from '../api/meta';

/** "Partner Desk 1.2.3 · dev" — or a quiet note when the server could not tell. */
export function VersionText() {
  const { data, isPending, isError } = useMeta();
  let text: string;
  if (isPending) text = 'Partner Desk';
  else if (isError || !data) text = 'Partner Desk · version unavailable';
  else text = `Partner Desk ${data.version} · ${data.environment}`;
  return (
    <Text size="xs" c="dimmed" data-testid="version">
      {text}
    </Text>
  );
}
