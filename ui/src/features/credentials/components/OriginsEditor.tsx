import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '@/lib/api';

/** The server's errors about origins: origins[i] → its message; "origins" (the whole list) under -1. */
export function originErrors(error: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (!(error instanceof ApiError)) return out;
  for (const e of error.fieldErrors) {
    const m = /^origins(?:\[(\d+)\])?$/.exec(e.field);
    if (m) out.set(m[1] === undefined ? -1 : Number(m[1]), e.message);
  }
  return out;
}

interface OriginsEditorProps {
  origins: string[];
  onChange: (origins: string[]) => void;
  /** The last failed request, whose origins[i] errors show on their rows. */
  error: unknown;
  max: number;
}

/**
 * A client identifier's allowed origins: a row per origin with its own error (every bad one at once),
 * remove buttons, and a box to add one more.
 */
export function OriginsEditor({ origins, onChange, error, max }: OriginsEditorProps) {
  const [draft, setDraft] = useState('');
  const errors = originErrors(error);
  const add = () => {
    const v = draft.trim();
    if (!v) return;
    onChange([...origins, v]);
    setDraft('');
  };
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Allowed origins ({origins.length} of at most {max})
      </Text>
      <Text size="xs" c="dimmed">
        The sites whose pages may use the Klarna Web SDK with this identifier: https://shop.example, or https://*.shop.example for every subdomain. http is accepted for localhost only.
      </Text>
      {origins.length === 0 && (
        <Text size="sm" c="dimmed">
          No origins yet.
        </Text>
      )}
      {origins.map((o, i) => (
        <Group key={`${i}-${o}`} gap="xs" wrap="nowrap" align="flex-start" data-origin={o}>
          <TextInput
            aria-label={`Origin ${i + 1}`}
            value={o}
            onChange={(e) => onChange(origins.map((x, j) => (j === i ? e.currentTarget.value : x)))}
            error={errors.get(i)}
            style={{ flex: 1 }}
          />
          <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove ${o || `origin ${i + 1}`}`} onClick={() => onChange(origins.filter((_, j) => j !== i))}>
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group gap="xs" wrap="nowrap" align="flex-end">
        <TextInput
          label="Add an origin"
          placeholder="https://shop.example"
          value={draft}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
          style={{ flex: 1 }}
        />
        <Button variant="default" onClick={add} disabled={!draft.trim() || origins.length >= max}>
          Add
        </Button>
      </Group>
      {errors.get(-1) && (
        <Text size="sm" c="red" role="alert">
          {errors.get(-1)}
        </Text>
      )}
    </Stack>
  );
}
