import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { ApiError } from '@/lib/api';
import { AlertIcon } from './icons';

/** Turns anything thrown into a sentence a person can act on. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) {
    // Vite/the browser say this when a lazily loaded chunk is gone (usually: a new version was deployed).
    if (/dynamically imported module|Importing a module script failed|Failed to fetch/i.test(error.message)) {
      return 'Part of the app could not be loaded. A new version may have been installed; reloading the page usually fixes this.';
    }
    return error.message || 'An unexpected error occurred.';
  }
  if (typeof error === 'string' && error) return error;
  return 'An unexpected error occurred.';
}

interface ErrorPanelProps {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}

export function ErrorPanel({ error, title = 'Something went wrong', onRetry }: ErrorPanelProps) {
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <Alert color="red" variant="light" title={title} icon={<AlertIcon />} role="alert">
      <Stack gap="sm">
        <Text size="sm">{describeError(error)}</Text>
        {requestId && (
          <Text size="xs" c="dimmed">
            Request id: <code>{requestId}</code> — quote it when you report this problem.
          </Text>
        )}
        <Group gap="xs">
          {onRetry && (
            <Button size="xs" variant="filled" color="red" onClick={onRetry}>
              Try again
            </Button>
          )}
          <Button size="xs" variant="default" onClick={() => window.location.reload()}>
            Reload page
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
