// /onboarding/bulk — the CSV template, the upload (a dry run: nothing is sent
// yet) and every bulk run so far.
import { Anchor, Badge, Card, FileInput, Group, List, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { FormError } from '@/components/FormError';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { ApiError } from '@/lib/api';
import { formatDateTime } from '@/lib/format';
import { newIdempotencyKey } from '@/lib/stepUp';
import { BULK_TEMPLATE_URL, bulkRunsQuery, useUploadBulk, type BulkRun } from '../api/onboarding';

export const RUN_STATUS: Record<BulkRun['status'], { label: string; color: string }> = {
  validated: { label: 'dry run done', color: 'gray' },
  running: { label: 'running', color: 'blue' },
  done: { label: 'done', color: 'green' },
  canceled: { label: 'canceled', color: 'orange' },
};

const COLUMNS: DataColumn<BulkRun>[] = [
  { id: 'file', header: 'File', hideable: false, cell: (r) => <Text size="sm" fw={500}>{r.filename || 'upload.csv'}</Text> },
  { id: 'status', header: 'Status', cell: (r) => <Badge color={RUN_STATUS[r.status].color} variant="light">{RUN_STATUS[r.status].label}</Badge> },
  { id: 'rows', header: 'Rows', align: 'right', cell: (r) => <Text size="sm">{r.total_rows}</Text> },
  { id: 'invalid', header: 'Invalid', align: 'right', cell: (r) => <Text size="sm" c={r.invalid_rows ? 'red' : undefined}>{r.invalid_rows}</Text> },
  { id: 'done', header: 'Onboarded', align: 'right', cell: (r) => <Text size="sm">{r.progress.succeeded} / {r.valid_rows}</Text> },
  { id: 'failed', header: 'Failed', align: 'right', cell: (r) => <Text size="sm" c={r.progress.failed ? 'red' : undefined}>{r.progress.failed}</Text> },
  { id: 'created', header: 'Uploaded', nowrap: true, cell: (r) => <Text size="sm">{formatDateTime(r.created_at)}{r.created_by ? ` · ${r.created_by.email}` : ''}</Text> },
];

export function BulkPage() {
  const navigate = useNavigate();
  const upload = useUploadBulk();
  const runs = useInfiniteQuery(bulkRunsQuery());
  const list = useInfiniteRows(runs);
  const [file, setFile] = useState<File | null>(null);

  const choose = (f: File | null) => {
    setFile(f);
    upload.reset();
    if (!f) return;
    // One key per chosen file: a retried upload is the same dry run, not a second one.
    upload.mutate({ file: f, key: newIdempotencyKey() }, { onSuccess: (run) => navigate(`/onboarding/bulk/${run.id}`) });
  };
  const fileErrors = upload.error instanceof ApiError ? upload.error.fieldErrors : [];

  return (
    <>
      <PageHeader title="Bulk onboarding" description="Onboard many partners from one CSV: one row per partner, checked row by row before anything is sent to Klarna." />
      <Card withBorder mb="lg">
        <Stack>
          <Text size="sm">
            1. Start from the{' '}
            <Anchor href={BULK_TEMPLATE_URL} download>
              CSV template
            </Anchor>
            : each row is one partner with one business entity, one payment account, one brand, one store group and one store.
          </Text>
          <FileInput
            label="2. Upload the filled-in file"
            description="Every row is checked with the wizard’s rules (a dry run); you start the onboarding afterwards."
            placeholder="Choose a .csv file"
            accept=".csv,text/csv"
            value={file}
            onChange={choose}
            clearable
            disabled={upload.isPending}
            error={upload.isPending ? undefined : fileErrors.length > 0 ? 'The file does not match the template.' : undefined}
          />
          {upload.isPending && <Text size="sm">Checking every row…</Text>}
          {fileErrors.length > 0 ? (
            <List size="sm" c="red" role="alert">
              {fileErrors.map((e) => (
                <List.Item key={`${e.field}:${e.message}`}>
                  {e.field}: {e.message}
                </List.Item>
              ))}
            </List>
          ) : (
            <FormError error={upload.error} fields={[]} />
          )}
        </Stack>
      </Card>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Runs</Text>
      </Group>
      <DataTable
        id="onboarding-bulk-runs"
        label="Bulk onboarding runs"
        columns={COLUMNS}
        rowKey={(r) => r.id}
        {...list}
        loadingLabel="Loading runs"
        nouns={['run', 'runs']}
        onRowClick={(r) => navigate(`/onboarding/bulk/${r.id}`)}
        rowLabel={(r) => `Open the run of ${r.filename}`}
        empty={{ title: 'No bulk runs yet', icon: <InboxIcon />, text: 'Upload a CSV above: its dry run appears here, and its progress once started.' }}
      />
    </>
  );
}
