import { Badge, Button, Group, Paper, SimpleGrid, Text } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { usePhone } from '@/lib/phone';

type Values = Readonly<Record<string, string | undefined>>;

export interface FilterBarProps<V extends Values> {
  /** The form's accessible name ("Audit filters"). */
  label: string;
  /** The applied filters (from the address). */
  value: V;
  onApply: (next: V) => void;
  /** The inputs, bound to the draft: `set(name, value)` changes the draft only; Apply sends it. */
  children: (draft: V, set: (name: keyof V, value: string | null | undefined) => void) => ReactNode;
  cols?: { base?: number; sm?: number; lg?: number };
  /** A line of help beside the buttons (may depend on the draft). */
  note?: ReactNode | ((draft: V) => ReactNode);
}

function Form<V extends Values>({ label, value, onApply, children, cols, note }: FilterBarProps<V>) {
  const [draft, setDraft] = useState<V>(value);
  // On a phone the inputs would push the list off the screen: they fold behind one button that says how
  // many filters apply, and fold again once applied (the form is remounted by a new value).
  const phone = usePhone();
  const [open, setOpen] = useState(false);
  const applied = Object.values(value).filter((v) => v !== undefined && v !== '').length;
  const set = (name: keyof V, v: string | null | undefined) => setDraft((d) => ({ ...d, [name]: v ?? undefined }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  const fold = phone && (
    <Button
      variant="default"
      mb={open ? 'xs' : 'lg'}
      aria-expanded={open}
      onClick={() => setOpen((o) => !o)}
      rightSection={applied > 0 && <Badge size="sm" circle aria-label={`${applied} applied`}>{applied}</Badge>}
    >
      {open ? 'Hide filters' : 'Filters'}
    </Button>
  );
  if (phone && !open) return fold;
  return (
    <>
      {fold}
      <Paper withBorder p="md" radius="md" mb="lg" component="form" onSubmit={submit} aria-label={label}>
        <SimpleGrid cols={cols ?? { base: 1, sm: 2, lg: 5 }}>{children(draft, set)}</SimpleGrid>
        <Group justify="space-between" mt="md">
          <Text size="xs" c="dimmed">
            {typeof note === 'function' ? note(draft) : note}
          </Text>
          <Group>
            <Button
              variant="default"
              onClick={() => {
                setDraft({} as V);
                onApply({} as V);
              }}
            >
              Clear
            </Button>
            <Button type="submit">Apply filters</Button>
          </Group>
        </Group>
      </Paper>
    </>
  );
}

/**
 * The filter bar above a table. Its values live in the address (useUrlState): the form edits a draft
 * and "Apply filters" writes it there, so a view can be shared; back/forward or a pasted link re-read it.
 */
export function FilterBar<V extends Values>(props: FilterBarProps<V>) {
  // A new applied value (the address changed) starts a new draft from it.
  return <Form key={JSON.stringify(props.value)} {...props} />;
}
