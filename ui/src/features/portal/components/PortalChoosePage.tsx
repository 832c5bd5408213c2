import { Alert, Button, Code, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { useSearchParams } from 'react-router';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { ApiError } from '@/lib/api';
import { portalPartnersQuery } from '../api/portal';
import { OpenPortalButton } from './OpenPortalButton';

/**
 * /portal/choose — where "Continue with <acquirer>" (GET /portal/continue) lands a user who can open
 * the Klarna Portal of several partners (or whose automatic link failed): pick one, and its fresh deep
 * link opens.
 */
export function PortalChoosePage() {
  const [params] = useSearchParams();
  const failed = params.get('failed');
  const [q, setQ] = useState('');
  const query = useDeferredValue(q.trim());
  const list = useInfiniteQuery(portalPartnersQuery(query));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title="Open the Klarna Portal" description="Choose the partner whose Klarna Partner Portal you want to open. Each link works once, for 60 seconds." />
      {failed && (
        <Alert color="orange" title="The Klarna Portal could not be opened automatically" mb="md">
          Try again below: if it fails again, the message says why.
        </Alert>
      )}
      {list.error instanceof ApiError && list.error.status === 403 ? (
        <EmptyState title="You cannot open the Klarna Portal">Your role does not allow opening the Klarna Portal for any partner. Ask an administrator.</EmptyState>
      ) : list.error ? (
        <ErrorPanel error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Stack gap="sm">
          <TextInput label="Search partners" placeholder="Name, reference or Klarna id" value={q} onChange={(e) => setQ(e.currentTarget.value)} maw={420} />
          {!list.data ? (
            <PageLoader label="Loading partners" />
          ) : items.length === 0 ? (
            <EmptyState title={query ? 'No partner matches' : 'No partner to open'}>
              {query ? 'Try another name, reference or Klarna id.' : 'There is no partner whose Klarna Portal you may open.'}
            </EmptyState>
          ) : (
            <Stack gap="xs" aria-label="Partners to open">
              {items.map((p) => (
                <Paper key={p.tenant_id} withBorder p="sm" radius="md" component="section" aria-label={p.name}>
                  <Group justify="space-between" wrap="wrap">
                    <div>
                      <Text fw={600}>{p.name}</Text>
                      <Text size="xs" c="dimmed">
                        {p.klarna_account_id ? <Code>{p.klarna_account_id}</Code> : 'no Klarna account yet'}
                      </Text>
                    </div>
                    <OpenPortalButton partner={p} variant={p.tenant_id === failed ? 'filled' : 'default'} />
                  </Group>
                </Paper>
              ))}
              {list.hasNextPage && (
                <Button variant="subtle" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                  More partners
                </Button>
              )}
            </Stack>
          )}
        </Stack>
      )}
    </>
  );
}
