import { Button, Code, Stack, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { EmptyState } from '@/components/EmptyState';
import { PageHeader } from '@/components/PageHeader';

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        title="There is no page at this address"
        action={
          <Button component={Link} to="/">
            Go to the start page
          </Button>
        }
      >
        <Stack gap={4} component="span">
          <Text component="span">
            Nothing lives at <Code>{pathname}</Code>. The link may be old or mistyped; pick a section from the
            navigation instead.
          </Text>
        </Stack>
      </EmptyState>
    </>
  );
}
