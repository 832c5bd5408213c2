// /onboarding/bulk/:id — one run: the dry run's counts and per-row errors,
// Start, the live progress bar, per-row results and the results CSV.
import { Alert, Anchor, Badge, Button, Card, Group, Progress, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { ConfirmButton } from '@/components/ConfirmButton';
import { DataTable, type DataColumn } from '@/components/DataTable';
import { ErrorPanel } from '@/components/ErrorPanel';
import { FormError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { formatDateTime } from '@/lib/format';
import { useUrlState } from '@/lib/urlState';
import { bulkResultsUrl, bulkRowsQuery, bulkRunQuery, useCancelBulk, useStartBulk, type BulkRow, type BulkRun } from '../api/onboarding';
import { RUN_STATUS } from './BulkPage';

const ROW_FILTERS = ['invalid', 'pending', 'succeeded', 'failed'] as const;
const FILTERS = { rows: ROW_FILTERS } as const;

const ROW_STATUS: Record<BulkRow['status'], { label: string; color: string }> = {
  invalid: { label: 'invalid', color: 'red' },
  pending: { label: 'not sent yet', color: 'gray' },
  submitted: { label: 'at Klarna', color: 'blue' },
  succeeded: { label: 'onboarded', color: 'green' },
  failed: { label: 'failed', color: 'red' },
  canceled: { label: 'canceled', color: 'orange' },
};

/** One line per problem of a row (row number, column, message), or one for a row without problems. */
interface Line extends BulkRow {
  key: string;
  column: string;
  message: string;
}

const COLUMNS: DataColumn<Line>[] = [
  { id: 'row', header: 'Row', hideable: false, align: 'right', cell: (l) => <Text size="sm">{l.row}</Text> },
  { id: 'reference', header: 'Reference', cell: (l) => <Text size="sm">{l.reference || '—'}</Text> },
  { id: 'status', header: 'Status', cell: (l) => <Badge color={ROW_STATUS[l.status].color} variant="light">{ROW_STATUS[l.status].label}</Badge> },
  { id: 'column', header: 'Column', cell: (l) => <Text size="sm" ff="monospace">{l.column || '—'}</Text> },
  { id: 'message', header: 'Message', cell: (l) => <Text size="sm" c={l.message ? 'red' : 'dimmed'}>{l.message || '—'}</Text> },
  {
    id: 'account',
    header: 'Klarna account',
    cell: (l) =>
      l.draft_id ? (
        <Anchor component={Link} to={`/onboarding/drafts/${l.draft_id}`} size="sm" onClick={(e) => e.stopPropagation()}>
          {l.klarna_account_id || 'open'}
        </Anchor>
      ) : (
        <Text size="sm">—</Text>
      ),
  },
];

function lines(rows: readonly BulkRow[]): Line[] {
  return rows.flatMap((r) =>
    r.errors.length > 0
      ? r.errors.map((e, k) => ({ ...r, key: `${r.row}:${k}`, column: e.field, message: e.message }))
      : [{ ...r, key: `${r.row}`, column: '', message: r.last_error }],
  );
}

export function BulkProgress({ run }: { run: BulkRun }) {
  const p = run.progress;
  const total = Math.max(run.valid_rows, 1);
  const pct = (n: number) => (n / total) * 100;
  const finished = p.succeeded + p.failed;
  return (
    <Stack gap={6}>
      <Progress.Root size="xl" aria-label="Progress" role="progressbar" aria-valuemin={0} aria-valuemax={run.valid_rows} aria-valuenow={finished} data-testid="bulk-progress">
        <Progress.Section value={pct(p.succeeded)} color="green" />
        <Progress.Section value={pct(p.failed)} color="red" />
        <Progress.Section value={pct(p.submitted)} color="blue" animated={run.status === 'running'} striped />
      </Progress.Root>
      <Text size="sm" data-testid="bulk-progress-text">
        {finished} of {run.valid_rows} finished — {p.succeeded} onboarded, {p.failed} failed, {p.submitted} at Klarna, {p.pending} not sent
        {run.status === 'done' ? '. Done.' : ''}
      </Text>
    </Stack>
  );
}

export function BulkRunPage() {
  const { id = '' } = useParams();
  const run = useQuery(bulkRunQuery(id));
  const { values, set } = useUrlState(FILTERS);
  const live = run.data?.status === 'running';
  const rows = useInfiniteQuery(bulkRowsQuery(id, values.rows, live));
  const start = useStartBulk(id);
  const cancel = useCancelBulk(id);
  const items = useMemo(() => lines(rows.data?.pages.flatMap((p) => p.items) ?? []), [rows.data]);

  if (run.isPending) return <PageLoader label="Loading the run" />;
  if (run.isError) return <ErrorPanel error={run.error} title="Could not load the run" onRetry={() => void run.refetch()} />;
  const r = run.data;
  const st = RUN_STATUS[r.status];

  return (
    <>
      <PageHeader title={`Bulk onboarding: ${r.filename || 'upload.csv'}`} description={`Uploaded ${formatDateTime(r.created_at)}${r.created_by ? ` by ${r.created_by.email}` : ''}`} />
      <Card withBorder mb="lg">
        <Stack>
          <Group justify="space-between">
            <Badge color={st.color} size="lg" variant="light">
              {st.label}
            </Badge>
            <Group>
              <Anchor href={bulkResultsUrl(r.id)} download size="sm">
                Results CSV
              </Anchor>
              {(r.status === 'validated' || r.status === 'running') && (
                <ConfirmButton
                  title="Cancel this run?"
                  message={r.status === 'running' ? 'Rows not yet sent to Klarna will not be sent. Partners already onboarded stay onboarded.' : 'Nothing of this file will be sent to Klarna.'}
                  confirmLabel="Cancel the run"
                  onConfirm={() => cancel.mutate(undefined)}
                  loading={cancel.isPending}
                >
                  Cancel run
                </ConfirmButton>
              )}
            </Group>
          </Group>
          <SimpleGrid cols={{ base: 3 }}>
            <Count label="Rows" value={r.total_rows} />
            <Count label="Valid" value={r.valid_rows} color="green" />
            <Count label="Invalid" value={r.invalid_rows} color={r.invalid_rows ? 'red' : undefined} />
          </SimpleGrid>
          {r.status === 'validated' ? (
            <Alert color={r.invalid_rows ? 'yellow' : 'blue'} variant="light" title="Dry run done — nothing has been sent to Klarna">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  {r.invalid_rows > 0
                    ? `${r.invalid_rows} ${r.invalid_rows === 1 ? 'row has' : 'rows have'} problems (listed below) and will not be sent; fix them in a new upload. `
                    : 'Every row passed. '}
                  Starting onboards the {r.valid_rows} valid {r.valid_rows === 1 ? 'row' : 'rows'} at Klarna’s rate limit.
                </Text>
                <Button onClick={() => start.mutate(undefined)} loading={start.isPending} disabled={r.valid_rows === 0}>
                  Start onboarding {r.valid_rows} {r.valid_rows === 1 ? 'partner' : 'partners'}
                </Button>
                <FormError error={start.error ?? cancel.error} fields={[]} />
              </Stack>
            </Alert>
          ) : (
            <BulkProgress run={r} />
          )}
        </Stack>
      </Card>

      <Group justify="space-between" mb="xs">
        <Text fw={600}>Rows</Text>
        <SegmentedControl
          aria-label="Rows to show"
          size="xs"
          value={values.rows ?? ''}
          onChange={(v) => set({ rows: (v || undefined) as (typeof ROW_FILTERS)[number] | undefined })}
          data={[
            { value: '', label: 'All' },
            { value: 'invalid', label: 'Invalid only' },
            { value: 'pending', label: 'Pending' },
            { value: 'succeeded', label: 'Onboarded' },
            { value: 'failed', label: 'Failed' },
          ]}
        />
      </Group>
      <DataTable
        id="onboarding-bulk-rows"
        label="Rows of the file"
        columns={COLUMNS}
        rows={items}
        rowKey={(l) => l.key}
        loading={rows.isPending}
        error={rows.error ?? undefined}
        onRetry={() => void rows.refetch()}
        more={{ hasNext: Boolean(rows.hasNextPage), loading: rows.isFetchingNextPage, onMore: () => void rows.fetchNextPage() }}
        loadingLabel="Loading rows"
        nouns={['line', 'lines']}
        highlight={(l) => (l.status === 'invalid' || l.status === 'failed' ? 'red' : undefined)}
        empty={{ title: values.rows ? 'No rows like this' : 'No rows', icon: <InboxIcon />, text: values.rows === 'invalid' ? 'Every row of the file passed the dry run.' : 'The file had no data rows.' }}
      />
    </>
  );
}

function Count({ label, value, color }: { label: string; value: number; color?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={`count-${label.toLowerCase()}`}>
        {value}
      </Text>
    </div>
  );
}
