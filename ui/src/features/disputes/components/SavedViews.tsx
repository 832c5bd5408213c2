import { ActionIcon, Button, Group, Menu, Popover, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldError } from '@/components/FormError';
import { ApiError } from '@/lib/api';
import { notify } from '@/lib/notify';
import { queryString } from '@/lib/urlState';
import { savedViewsQuery, useDeleteView, useSaveView, type QueueParams } from '../api/disputes';

/** The user's saved views of the queue: pick one (its query string becomes the address), save the current one, delete. */
export function SavedViews({ query, onPick }: { query: QueueParams; onPick: (qs: string) => void }) {
  const views = useQuery(savedViewsQuery);
  const save = useSaveView();
  const remove = useDeleteView();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const saveError = save.error instanceof ApiError ? save.error : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    save.mutate(
      { name: name.trim(), query: queryString(query).replace(/^\?/, '') },
      {
        onSuccess: () => {
          setOpen(false);
          setName('');
          notify({ color: 'green', title: 'View saved', message: `“${name.trim()}” is under Saved views.` });
        },
      },
    );
  };

  const items = views.data ?? [];
  return (
    <Group gap="xs" wrap="wrap">
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <Button variant="default" size="sm" disabled={views.isPending}>
            Saved views{items.length > 0 ? ` (${items.length})` : ''}
          </Button>
        </Menu.Target>
        <Menu.Dropdown aria-label="Saved views">
          {items.length === 0 && (
            <Text size="sm" c="dimmed" p="xs">
              No saved views yet.
            </Text>
          )}
          {items.map((v) => (
            <Group key={v.id} gap={4} wrap="nowrap" justify="space-between">
              <Menu.Item onClick={() => onPick(v.query)} style={{ flex: 1 }}>
                {v.name}
              </Menu.Item>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Delete the view ${v.name}`}
                loading={remove.isPending && remove.variables?.id === v.id}
                onClick={() => remove.mutate(v, { onError: (err) => notify({ color: 'red', title: 'Could not delete the view', message: err.message }) })}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Popover opened={open} onChange={setOpen} position="bottom-end" withinPortal trapFocus>
        <Popover.Target>
          <Button variant="default" size="sm" onClick={() => setOpen((o) => !o)}>
            Save view
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="xs" component="form" onSubmit={submit} aria-label="Save this view">
            <TextInput
              label="Name of the view"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              maxLength={100}
              error={fieldError(saveError, 'name') ?? (saveError && saveError.fieldErrors.length === 0 ? saveError.message : undefined)}
              data-autofocus
            />
            <Button type="submit" size="sm" loading={save.isPending} disabled={!name.trim()}>
              Save
            </Button>
          </Stack>
        </Popover.Dropdown>
      </Popover>
    </Group>
  );
}
