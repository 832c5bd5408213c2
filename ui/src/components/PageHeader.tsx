import { Group, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';

/** The page's one h1, and the browser tab title to match; `actions` (links, buttons) sit beside it. */
export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  useDocumentTitle(`${title} · Partner Desk`);
  const heading = (
    <Stack gap={4} mb={actions ? 0 : 'lg'}>
      <Title order={1}>{title}</Title>
      {description && <Text c="dimmed">{description}</Text>}
    </Stack>
  );
  if (!actions) return heading;
  return (
    <Group justify="space-between" align="flex-start" gap="sm" mb="lg">
      {heading}
      <Group gap="xs">{actions}</Group>
    </Group>
  );
}
