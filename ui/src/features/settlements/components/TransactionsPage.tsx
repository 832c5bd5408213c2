import { Anchor, Button, Group, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { DataTable, useInfiniteRows } from '@/components/DataTable';
import { InboxIcon } from '@/components/icons';
import { PageHeader } from '@/components/PageHeader';
import { useUrlState } from '@/lib/urlState';
import { lineSearchQuery } from '../api/settlements';
import { lineColumns } from './PayoutPage';

const PARAMS = { q: 'text' } as const;

/** "In which payout did this order's money arrive, and what was deducted": every line of an order, capture, refund or reference. */
export function TransactionsPage() {
  const { values, set } = useUrlState(PARAMS);
  const [draft, setDraft] = useState(values.q ?? '');
  const q = values.q ?? '';
  const lines = useInfiniteQuery(lineSearchQuery(q));
  const list = useInfiniteRows(lines);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set({ q: draft.trim() || undefined });
  };
  return (
    <>
      <Anchor component={Link} to="/settlements" size="sm">
        ← Settlements
      </Anchor>
      <PageHeader title="Find a transaction" description="Every settlement line of an order, capture, refund or merchant reference, with the payout it arrived in." />
      <form onSubmit={submit} aria-label="Transaction search">
        <Group align="flex-end" mb="lg">
          <TextInput label="Order, capture or refund id, or reference" value={draft} onChange={(e) => setDraft(e.currentTarget.value)} w={{ base: '100%', sm: 420 }} />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      {q && (
        <DataTable
          id="settlement-search"
          label="Matching lines"
          columns={lineColumns(true)}
          rowKey={(l) => String(l.id)}
          {...list}
          loadingLabel="Searching the lines"
          nouns={['line', 'lines']}
          empty={{ title: 'Nothing found', icon: <InboxIcon />, text: `No settlement line carries “${q}”. Klarna settles a capture in the next payout after it; a newer one may not be reported yet.` }}
        />
      )}
    </>
  );
}
