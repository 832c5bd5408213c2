// /onboarding — every onboarding draft and submission, with resume links.
import { Anchor, Badge, Button, Group, SegmentedControl, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { DataTable, useInfiniteRows, type DataColumn } from '@/components/DataTable';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { formatDateTime } from '@/lib/format';
import { useUrlState } from '@/lib/urlState';
import { draftsQuery, STATUS_COLOR, STATUS_LABEL, type DraftStatus, type DraftSummary } from '../api/onboarding';
import { isStepId, STEP_LABEL } from '../model';

const STATUSES = ['draft', 'submitted', 'succeeded', 'rejected', 'conflict', 'failed'] as const satisfies readonly DraftStatus[];
const FILTERS = { status: STATUSES } as const;

const COLUMNS: DataColumn<DraftSummary>[] = [
  {
    id: 'name',
    header: 'Partner',
    hideable: false,
    cell: (d) => (
      <div>
        <Anchor component={Link} to={`/onboarding/drafts/${d.id}`} size="sm" fw={500} onClick={(e) => e.stopPropagation()}>
          {d.name || 'Unnamed partner'}
        </Anchor>
        <Text size="xs" c="dimmed">
          {d.reference || 'no reference yet'}
        </Text>
      </div>
    ),
  },
  { id: 'kind', header: 'Kind', cell: (d) => <Text size="sm">{d.kind === 'new' ? 'New partner' : 'Addition'}</Text> },
  {
    id: 'status',
    header: 'Status',
    cell: (d) => (
      <Badge color={STATUS_COLOR[d.status]} variant="light">
        {STATUS_LABEL[d.status]}
      </Badge>
    ),
  },
  { id: 'step', header: 'Step', cell: (d) => <Text size="sm">{d.status === 'draft' && isStepId(d.step) ? STEP_LABEL[d.step] : '—'}</Text> },
  { id: 'updated', header: 'Last change', nowrap: true, cell: (d) => <Text size="sm">{formatDateTime(d.updated_at)}{d.updated_by ? ` · ${d.updated_by.email}` : ''}</Text> },
  { id: 'error', header: 'Last error', cell: (d) => <Text size="sm" c={d.last_error ? 'red' : 'dimmed'}>{d.last_error || '—'}</Text> },
];

export function DraftsPage() {
  const { values, set } = useUrlState(FILTERS);
  const navigate = useNavigate();
  const drafts = useInfiniteQuery(draftsQuery(values.status));
  const list = useInfiniteRows(drafts);
  return (
    <>
      <PageHeader title="Onboarding" description="Partners being onboarded to Klarna: drafts anyone can resume, and where each submission stands." />
      <Group justify="space-between" mb="md">
        <SegmentedControl
          aria-label="Status"
          value={values.status ?? ''}
          onChange={(v) => set({ status: (v || undefined) as DraftStatus | undefined })}
          data={[{ value: '', label: 'All' }, ...STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] }))]}
          size="xs"
        />
        <Group>
          <Button component={Link} to="/onboarding/bulk" variant="default">
            Bulk upload
          </Button>
          <Button component={Link} to="/onboarding/new">
            New partner
          </Button>
        </Group>
      </Group>
      <DataTable
        id="onboarding-drafts"
        label="Onboarding drafts"
        columns={COLUMNS}
        rowKey={(d) => d.id}
        {...list}
        loadingLabel="Loading drafts"
        nouns={['draft', 'drafts']}
        onRowClick={(d) => navigate(`/onboarding/drafts/${d.id}`)}
        rowLabel={(d) => `Open ${d.name || 'the draft'}`}
        highlight={(d) => (d.status === 'failed' || d.status === 'rejected' ? 'red' : d.status === 'conflict' ? 'orange' : undefined)}
        empty={{
          title: values.status ? 'No drafts with this status' : 'No onboardings yet',
          icon: <InboxIcon />,
          text: 'Start with “New partner”: the wizard saves a draft as you go, so you or another admin can finish it later.',
        }}
      />
    </>
  );
}
