import { TextInput } from '@mantine/core';
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider, useLocation } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatSort, parseSort, queryString, readParams, useUrlState, writeParams } from '@/lib/urlState';
import { renderWithProviders } from '@/test/render';
import { DataTable, useInfiniteRows, type DataColumn } from './DataTable';
import { FilterBar } from './FilterBar';

interface Person {
  id: string;
  name: string;
  age: number;
}

const PEOPLE: Person[] = [
  { id: 'p1', name: 'Ada', age: 36 },
  { id: 'p2', name: 'Grace', age: 45 },
  { id: 'p3', name: 'Alan', age: 41 },
];

/** A keyset-paged server for the harness: pages of two, filtered by q, sorted by `sort`. */
let calls: string[] = [];
let failNext = false;
function listPeople(q: { q?: string; sort?: string; cursor?: string }) {
  calls.push(queryString(q));
  if (failNext) {
    failNext = false;
    return Promise.reject(new Error('The people service is down.'));
  }
  const s = parseSort(q.sort);
  const rows = PEOPLE.filter((p) => !q.q || p.name.toLowerCase().includes(q.q.toLowerCase())).sort((a, b) => {
    if (!s) return a.id.localeCompare(b.id);
    const d = s.id === 'age' ? a.age - b.age : a.name.localeCompare(b.name);
    return s.desc ? -d : d;
  });
  const start = q.cursor ? Number(q.cursor) : 0;
  const next = start + 2 < rows.length ? String(start + 2) : null;
  return Promise.resolve({ items: rows.slice(start, start + 2), next_cursor: next });
}

const SPEC = { q: 'text', sort: 'text' } as const;
const COLUMNS: DataColumn<Person>[] = [
  { id: 'name', header: 'Name', sortable: true, hideable: false, cell: (p) => p.name },
  { id: 'age', header: 'Age', sortable: true, sortDescFirst: true, align: 'right', cell: (p) => p.age },
  { id: 'id', header: 'Id', cell: (p) => p.id },
];

function Location() {
  const { search } = useLocation();
  return <output aria-label="Address">{search}</output>;
}

function PeoplePage() {
  const { values, set, patch } = useUrlState(SPEC);
  const filters = { q: values.q };
  const query = useInfiniteQuery(
    infiniteQueryOptions({
      queryKey: ['people', values],
      queryFn: ({ pageParam }) => listPeople({ ...values, cursor: pageParam }),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.next_cursor ?? undefined,
      retry: false,
    }),
  );
  const list = useInfiniteRows(query);
  return (
    <>
      <Location />
      <FilterBar label="People filters" value={filters} onApply={(f) => set({ ...f, sort: values.sort })}>
        {(f, setDraft) => <TextInput label="Name" value={f.q ?? ''} onChange={(e) => setDraft('q', e.currentTarget.value)} />}
      </FilterBar>
      <DataTable
        id="people"
        label="People"
        columns={COLUMNS}
        rowKey={(p) => p.id}
        {...list}
        sort={parseSort(values.sort)}
        onSortChange={(s) => patch({ sort: formatSort(s) })}
        nouns={['person', 'people']}
        exportHref={`/export.csv${queryString({ ...filters, sort: values.sort })}`}
        onRowClick={(p) => patch({ q: p.name })}
        rowLabel={(p) => `Open ${p.name}`}
        empty={{ title: 'No people', text: values.q ? 'Nobody matches this name.' : 'Nobody here yet.' }}
      />
    </>
  );
}

function renderPeople(path = '/people') {
  const router = createMemoryRouter([{ path: '/people', element: <PeoplePage /> }], { initialEntries: [path] });
  renderWithProviders(<RouterProvider router={router} />);
  return router;
}

const names = (table: HTMLElement) =>
  within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getAllByRole('cell')[0]?.textContent);

describe('DataTable', () => {
  beforeEach(() => {
    calls = [];
    failNext = false;
  });

  it('asks the server to sort through the address when a header is clicked', async () => {
    const user = userEvent.setup();
    const router = renderPeople('/people?tenant=acquirer');
    const table = await screen.findByRole('table', { name: 'People' });
    expect(names(table)).toEqual(['Ada', 'Grace']);

    await user.click(within(table).getByRole('button', { name: 'Sort by Name' }));
    expect(router.state.location.search).toBe('?tenant=acquirer&sort=name');
    await screen.findByRole('cell', { name: 'Alan' });
    expect(screen.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');

    await user.click(screen.getByRole('button', { name: 'Sort by Name' }));
    expect(router.state.location.search).toBe('?tenant=acquirer&sort=-name');
    await screen.findByRole('cell', { name: 'Grace' });
    expect(names(screen.getByRole('table', { name: 'People' }))).toEqual(['Grace', 'Alan']);
    expect(screen.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'descending');

    // A time or count column starts with the largest.
    await user.click(screen.getByRole('button', { name: 'Sort by Age' }));
    expect(router.state.location.search).toBe('?tenant=acquirer&sort=-age');
    expect(calls).toEqual(['', '?sort=name', '?sort=-name', '?sort=-age']);
  });

  it('puts applied filters in the address, and the form follows back and forward', async () => {
    const user = userEvent.setup();
    const router = renderPeople();
    await screen.findByRole('table', { name: 'People' });
    const form = screen.getByRole('form', { name: 'People filters' });
    await user.type(within(form).getByRole('textbox', { name: 'Name' }), 'al');
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));
    expect(router.state.location.search).toBe('?q=al');
    expect(await screen.findByRole('cell', { name: 'Alan' })).toBeInTheDocument();
    expect(screen.queryByRole('cell', { name: 'Ada' })).not.toBeInTheDocument();

    // Back to the unfiltered view, and forward again: the form follows the address.
    await router.navigate(-1);
    expect(await screen.findByRole('cell', { name: 'Ada' })).toBeInTheDocument();
    expect(within(screen.getByRole('form', { name: 'People filters' })).getByRole('textbox', { name: 'Name' })).toHaveValue('');
    await router.navigate(1);
    expect(await screen.findByDisplayValue('al')).toBeInTheDocument();

    await user.click(within(screen.getByRole('form', { name: 'People filters' })).getByRole('button', { name: 'Clear' }));
    expect(router.state.location.search).toBe('');
  });

  it('reads a shared link into the form, the request and the CSV export', async () => {
    renderPeople('/people?q=a&sort=-age&junk=1');
    const table = await screen.findByRole('table', { name: 'People' });
    expect(names(table)).toEqual(['Grace', 'Alan']);
    expect(within(screen.getByRole('form', { name: 'People filters' })).getByRole('textbox', { name: 'Name' })).toHaveValue('a');
    expect(screen.getByRole('link', { name: 'Export CSV' })).toHaveAttribute('href', '/export.csv?q=a&sort=-age');
    expect(calls[0]).toBe('?q=a&sort=-age');
  });

  it('loads the next page with "Load more" and says when that is all', async () => {
    const user = userEvent.setup();
    renderPeople();
    const table = await screen.findByRole('table', { name: 'People' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('3 people — that is all.')).toBeInTheDocument();
    expect(names(screen.getByRole('table', { name: 'People' }))).toEqual(['Ada', 'Grace', 'Alan']);
    expect(calls).toEqual(['', '?cursor=2']);
  });

  it('says what an empty list means, and shows an error with "Try again"', async () => {
    const user = userEvent.setup();
    renderPeople('/people?q=nobody');
    expect(await screen.findByRole('heading', { name: 'No people' })).toBeInTheDocument();
    expect(screen.getByText('Nobody matches this name.')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();

    failNext = true;
    const form = screen.getByRole('form', { name: 'People filters' });
    await user.clear(within(form).getByRole('textbox', { name: 'Name' }));
    await user.type(within(form).getByRole('textbox', { name: 'Name' }), 'grace');
    await user.click(within(form).getByRole('button', { name: 'Apply filters' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The people service is down.');
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('cell', { name: 'Grace' })).toBeInTheDocument();
  });

  it('opens a row by click or Enter', async () => {
    const user = userEvent.setup();
    const router = renderPeople();
    await user.click(await screen.findByRole('row', { name: 'Open Grace' }));
    expect(router.state.location.search).toBe('?q=Grace');
    screen.getByRole('row', { name: 'Open Grace' }).focus();
    await user.keyboard('{Enter}');
    expect(router.state.location.search).toBe('?q=Grace');
  });

  it('hides a column chosen under "Columns" and remembers the choice for that table', async () => {
    const user = userEvent.setup();
    renderPeople();
    const table = await screen.findByRole('table', { name: 'People' });
    expect(within(table).getByRole('columnheader', { name: 'Id' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Columns' }));
    const group = await screen.findByRole('group', { name: 'Shown columns' });
    // A column that identifies the row cannot be hidden.
    expect(within(group).queryByRole('checkbox', { name: 'Name' })).not.toBeInTheDocument();
    await user.click(within(group).getByRole('checkbox', { name: 'Id' }));
    expect(within(screen.getByRole('table', { name: 'People' })).queryByRole('columnheader', { name: 'Id' })).not.toBeInTheDocument();
    expect(JSON.parse(localStorage.getItem('pd.table.people.hidden') ?? '[]')).toEqual(['id']);
  });

  it('starts with the remembered column choice', async () => {
    localStorage.setItem('pd.table.people.hidden', JSON.stringify(['age']));
    renderPeople();
    const table = await screen.findByRole('table', { name: 'People' });
    expect(within(table).queryByRole('columnheader', { name: /Age/ })).not.toBeInTheDocument();
    expect(within(table).getByRole('columnheader', { name: 'Id' })).toBeInTheDocument();
  });
});

describe('urlState', () => {
  const SPEC2 = { q: 'text', state: ['ACTIVE', 'DISABLED'] } as const;
  it('reads known values only and writes without touching other parameters', () => {
    const params = new URLSearchParams('tenant=aurora&q=%20ada%20&state=BOGUS');
    expect(readParams(SPEC2, params)).toEqual({ q: 'ada' });
    expect(writeParams(SPEC2, { state: 'DISABLED' }, params).toString()).toBe('tenant=aurora&state=DISABLED');
    expect(formatSort(parseSort('-created_at'))).toBe('-created_at');
  });
});
