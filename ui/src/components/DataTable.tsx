// The one table of Partner Desk (TanStack Table for the column model; Mantine for the markup):
// server-side sorting, column choice remembered per table, keyset "Load more", a CSV export link,
// loading / empty / error states, row click, and horizontal scrolling on narrow screens.
import { Button, Checkbox, Group, Paper, Popover, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import { columnVisibilityFeature, rowSortingFeature, tableFeatures, useTable, type ColumnDef, type SortingState, type Updater, type ColumnVisibilityState as VisibilityState, type RowData } from '@tanstack/react-table';
import { useMemo, useState, type CSSProperties, type ReactNode } from 'react';
import type { Sort } from '@/lib/urlState';
import { EmptyState } from './EmptyState';
import { ErrorPanel } from './ErrorPanel';
import { ExportLink } from './ExportLink';
import { PageLoader } from './PageLoader';

const features = tableFeatures({ rowSortingFeature, columnVisibilityFeature });

export interface DataColumn<T extends RowData> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** The server sorts by this column (its id is the sort key). */
  sortable?: boolean;
  /** The first click sorts descending (times, counts). */
  sortDescFirst?: boolean;
  /** May be hidden under "Columns" (default true). */
  hideable?: boolean;
  /** Hidden until the user shows it under "Columns". */
  hidden?: boolean;
  /** The header is read to screen readers only (an actions column). */
  headerHidden?: boolean;
  align?: 'right';
  nowrap?: boolean;
  maw?: number;
}

/** "Load more" for keyset paging. */
export interface MoreRows {
  hasNext: boolean;
  loading: boolean;
  onMore: () => void;
}

export interface DataTableProps<T extends RowData> {
  /** Names the table (aria-label) and keys its remembered column choice. */
  id: string;
  label: string;
  columns: readonly DataColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  loading?: boolean;
  loadingLabel?: string;
  /** The list failed: shown instead of the table, with "Try again" when onRetry is given. */
  error?: unknown;
  onRetry?: () => void;
  /** What an empty list says. */
  empty: { title: string; text: ReactNode; icon?: ReactNode; action?: ReactNode };
  sort?: Sort;
  onSortChange?: (sort: Sort | undefined) => void;
  more?: MoreRows;
  /** The words for the end of the list: "3 events — that is all." */
  nouns?: [one: string, many: string];
  /** A CSV of the whole filtered list (a link, so the browser streams the download). */
  exportHref?: string;
  exportLabel?: string;
  /** Offer "Columns" (default true). */
  columnChoice?: boolean;
  onRowClick?: (row: T) => void;
  /** The row's accessible name when it is clickable. */
  rowLabel?: (row: T) => string;
  /** Extra attributes on the row (data-*). */
  rowAttrs?: (row: T) => Record<string, string | undefined>;
  /** Rows that need attention get a coloured background. */
  highlight?: (row: T) => 'red' | 'orange' | 'yellow' | undefined;
  /** Below this width the table scrolls sideways (phones). */
  minWidth?: number;
  /** Things beside Columns / Export above the table. */
  toolbar?: ReactNode;
}

const storageKey = (id: string) => `pd.table.${id}.hidden`;

function storedHidden(id: string): string[] | undefined {
  try {
    const raw = localStorage.getItem(storageKey(id));
    const v: unknown = raw ? JSON.parse(raw) : undefined;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
  } catch {
    return undefined;
  }
}

function initialVisibility<T extends RowData>(id: string, columns: readonly DataColumn<T>[]): VisibilityState {
  const hidden = storedHidden(id);
  const out: VisibilityState = {};
  for (const c of columns) out[c.id] = c.hideable === false ? true : hidden ? !hidden.includes(c.id) : !c.hidden;
  return out;
}

function apply<V>(updater: Updater<V>, old: V): V {
  return typeof updater === 'function' ? (updater as (o: V) => V)(old) : updater;
}

function ColumnChooser<T extends RowData>({ columns, visibility, onChange }: { columns: readonly DataColumn<T>[]; visibility: VisibilityState; onChange: (v: VisibilityState) => void }) {
  const choosable = columns.filter((c) => c.hideable !== false && !c.headerHidden);
  return (
    <Popover position="bottom-end" shadow="md" withinPortal>
      <Popover.Target>
        <Button variant="default" size="sm">
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs" role="group" aria-label="Shown columns">
          {choosable.map((c) => (
            <Checkbox
              key={c.id}
              label={c.header}
              checked={visibility[c.id] !== false}
              onChange={(e) => onChange({ ...visibility, [c.id]: e.currentTarget.checked })}
            />
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function SortMark({ dir }: { dir: false | 'asc' | 'desc' }) {
  return (
    <Text span size="xs" c={dir ? undefined : 'dimmed'} aria-hidden>
      {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}
    </Text>
  );
}

/** A list as a table; see DataTableProps. Sorting is the server's: a click asks `onSortChange`. */
export function DataTable<T extends RowData>(props: DataTableProps<T>) {
  const { id, label, columns, rows, rowKey, sort, onSortChange, onRowClick, rowLabel, rowAttrs, highlight } = props;
  const [visibility, setVisibility] = useState<VisibilityState>(() => initialVisibility(id, columns));
  const sorting: SortingState = useMemo(() => (sort ? [{ id: sort.id, desc: sort.desc }] : []), [sort]);

  const defs = useMemo<ColumnDef<typeof features, T>[]>(
    () =>
      columns.map((c) => ({
        id: c.id,
        header: c.header,
        // Sorting is the server's; an accessor only makes the column sortable to TanStack.
        accessorFn: () => undefined,
        cell: (ctx) => c.cell(ctx.row.original),
        enableSorting: !!c.sortable && !!onSortChange,
        sortDescFirst: c.sortDescFirst ?? false,
        enableHiding: c.hideable !== false,
      })),
    [columns, onSortChange],
  );
  const byId = useMemo(() => new Map(columns.map((c) => [c.id, c])), [columns]);

  const changeVisibility = (next: VisibilityState) => {
    setVisibility(next);
    localStorage.setItem(storageKey(id), JSON.stringify(Object.keys(next).filter((k) => next[k] === false)));
  };

  const table = useTable({
    features,
    columns: defs,
    data: rows as T[],
    getRowId: (row) => rowKey(row),
    manualSorting: true,
    enableMultiSort: false,
    state: { sorting, columnVisibility: visibility },
    onSortingChange: (u) => {
      const next = apply(u, sorting)[0];
      onSortChange?.(next ? { id: next.id, desc: next.desc } : undefined);
    },
    onColumnVisibilityChange: (u) => changeVisibility(apply(u, visibility)),
  });

  const toolbar = (props.columnChoice !== false || props.exportHref || props.toolbar) && (
    <Group justify="flex-end" gap="xs" mb="sm" wrap="wrap">
      {props.toolbar}
      {props.columnChoice !== false && <ColumnChooser columns={columns} visibility={visibility} onChange={changeVisibility} />}
      {props.exportHref && <ExportLink href={props.exportHref} label={props.exportLabel} />}
    </Group>
  );

  let body: ReactNode;
  if (props.error) body = <ErrorPanel error={props.error} onRetry={props.onRetry} />;
  else if (props.loading) body = <PageLoader label={props.loadingLabel ?? `Loading ${label.toLowerCase()}`} />;
  else if (rows.length === 0)
    body = (
      <EmptyState title={props.empty.title} icon={props.empty.icon} action={props.empty.action}>
        {props.empty.text}
      </EmptyState>
    );
  else {
    const open = onRowClick;
    body = (
      <Stack>
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={props.minWidth ?? 800} type="native">
            <Table verticalSpacing="xs" highlightOnHover={!!open} aria-label={label}>
              <Table.Thead>
                {table.getHeaderGroups().map((group) => (
                  <Table.Tr key={group.id}>
                    {group.headers.map((h) => {
                      const col = byId.get(h.column.id);
                      const dir = h.column.getIsSorted();
                      const ariaSort = dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined;
                      return (
                        <Table.Th key={h.id} ta={col?.align} aria-sort={ariaSort} aria-label={col?.headerHidden ? col.header : undefined} style={{ whiteSpace: 'nowrap' }}>
                          {col?.headerHidden ? null : h.column.getCanSort() ? (
                            <UnstyledButton onClick={h.column.getToggleSortingHandler()} fw={700} fz="sm" aria-label={`Sort by ${col?.header ?? h.column.id}`}>
                              <Group gap={4} wrap="nowrap">
                                {col?.header}
                                <SortMark dir={dir} />
                              </Group>
                            </UnstyledButton>
                          ) : (
                            col?.header
                          )}
                        </Table.Th>
                      );
                    })}
                  </Table.Tr>
                ))}
              </Table.Thead>
              <Table.Tbody>
                {table.getRowModel().rows.map((row) => {
                  const item = row.original;
                  const tone = highlight?.(item);
                  const style: CSSProperties = { ...(open ? { cursor: 'pointer' } : {}), ...(tone ? { background: `var(--mantine-color-${tone}-light)` } : {}) };
                  return (
                    <Table.Tr
                      key={row.id}
                      {...rowAttrs?.(item)}
                      data-highlight={tone}
                      style={style}
                      onClick={open ? () => open(item) : undefined}
                      onKeyDown={open ? (e) => (e.key === 'Enter' || e.key === ' ') && e.target === e.currentTarget && open(item) : undefined}
                      tabIndex={open ? 0 : undefined}
                      aria-label={open ? rowLabel?.(item) : undefined}
                    >
                      {row.getVisibleCells().map((cell) => {
                        const col = byId.get(cell.column.id);
                        return (
                          <Table.Td key={cell.id} ta={col?.align} maw={col?.maw} style={col?.nowrap ? { whiteSpace: 'nowrap' } : undefined}>
                            {col?.cell(item)}
                          </Table.Td>
                        );
                      })}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
        {props.more && (
          <Group justify="center">
            {props.more.hasNext ? (
              <Button variant="default" onClick={props.more.onMore} loading={props.more.loading}>
                Load more
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                {countText(rows.length, props.nouns)} — that is all.
              </Text>
            )}
          </Group>
        )}
      </Stack>
    );
  }

  return (
    <>
      {toolbar}
      {body}
    </>
  );
}

function countText(n: number, nouns: [string, string] = ['row', 'rows']): string {
  return n === 1 ? `1 ${nouns[0]}` : `${n} ${nouns[1]}`;
}

interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

const NO_ROWS: never[] = [];

/** A keyset-paged query (useInfiniteQuery over `{items, next_cursor}` pages) as DataTable props. */
export function useInfiniteRows<T extends RowData>(q: UseInfiniteQueryResult<InfiniteData<Page<T>, unknown>, Error>) {
  const rows = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? (NO_ROWS as T[]), [q.data]);
  return {
    rows,
    loading: q.isPending,
    error: q.error ?? undefined,
    onRetry: () => void q.refetch(),
    more: { hasNext: Boolean(q.hasNextPage), loading: q.isFetchingNextPage, onMore: () => void q.fetchNextPage() },
  };
}
