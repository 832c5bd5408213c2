import { Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReactNode } from 'react';

/** The page's one h1, and the browser tab title to match. */
export function PageHeader({ title, description }: { title: string; description?: ReactNode }) {
  useDocumentTitle(`${title} · Partner Desk`);
  return (
    <Stack gap={4} mb="lg">
      <Title order={1}>{title}</Title>
      {description && <Text c="dimmed">{description}</Text>}
    </Stack>
  );
}
