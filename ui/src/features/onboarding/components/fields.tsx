// The wizard's inputs: each names its field by form path and takes its value,
// its error (the client's rules, else the server's) and its DOM id (for the
// review's links) from the wizard.
import { ActionIcon, Autocomplete, Button, Card, Checkbox, Group, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Title, Badge } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { createContext, useContext, type ReactNode } from 'react';
import { fieldId, type OnboardingValues } from '../model';

export interface WizardFields {
  form: UseFormReturnType<OnboardingValues>;
  /** The message shown on a field: the client's, else the server's (save validation or Klarna's refusal). */
  errorOf: (path: string) => string | undefined;
  /** Whether the resource at a path is one the account already holds at Klarna (read-only). */
  isExisting: (path: string) => boolean;
}

const Ctx = createContext<WizardFields | null>(null);
export const WizardFieldsProvider = Ctx.Provider;

export function useWizardFields(): WizardFields {
  const v = useContext(Ctx);
  if (!v) throw new Error('wizard fields outside the wizard');
  return v;
}

function useField(path: string) {
  const { form, errorOf, isExisting } = useWizardFields();
  const props = form.getInputProps(path);
  return { ...props, id: fieldId(path), error: errorOf(path), readOnly: isExisting(path), disabled: isExisting(path) };
}

interface FieldProps {
  path: string;
  label: string;
  description?: string;
  placeholder?: string;
  required?: boolean;
}

export function TextField({ path, ...rest }: FieldProps & { type?: string; inputMode?: 'numeric' | 'email' | 'tel' | 'url' }) {
  const f = useField(path);
  return <TextInput {...rest} {...f} value={String(f.value ?? '')} />;
}

export function SelectField({ path, data, ...rest }: FieldProps & { data: { value: string; label: string }[]; clearable?: boolean; searchable?: boolean }) {
  const f = useField(path);
  return <Select {...rest} {...f} data={data} value={f.value ? String(f.value) : null} onChange={(v) => f.onChange(v ?? '')} comboboxProps={{ withinPortal: true }} />;
}

/** Free text with suggestions (a reference that another step may define later). */
export function SuggestField({ path, data, ...rest }: FieldProps & { data: string[] }) {
  const f = useField(path);
  return <Autocomplete {...rest} {...f} data={data} value={String(f.value ?? '')} comboboxProps={{ withinPortal: true }} />;
}

export function TagsField({ path, data, ...rest }: FieldProps & { data?: string[] }) {
  const f = useField(path);
  return <TagsInput {...rest} {...f} data={data} value={(f.value as string[] | undefined) ?? []} comboboxProps={{ withinPortal: true }} />;
}

export function CheckboxField({ path, label, description }: FieldProps) {
  const { form, errorOf } = useWizardFields();
  return <Checkbox id={fieldId(path)} label={label} description={description} {...form.getInputProps(path, { type: 'checkbox' })} error={errorOf(path)} />;
}

export function AddressFields({ path, title }: { path: string; title?: string }) {
  return (
    <Stack gap="xs">
      {title && (
        <Text size="sm" fw={600}>
          {title}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TextField path={`${path}.street_address`} label="Street address" />
        <TextField path={`${path}.street_address2`} label="Street address, line 2" />
        <TextField path={`${path}.postal_code`} label="Postal code" />
        <TextField path={`${path}.city`} label="City" />
        <TextField path={`${path}.region`} label="Region" />
        <TextField path={`${path}.country`} label="Country" placeholder="SE" description="ISO 3166-1 alpha-2" />
      </SimpleGrid>
    </Stack>
  );
}

/**
 * A repeatable section: one card per item with Remove, and "Add …". Items
 * the account already holds are read-only and cannot be removed.
 */
export function Repeat<T>({
  path,
  items,
  noun,
  empty,
  title,
  children,
  min = 0,
  level = 4,
}: {
  path: string;
  items: readonly T[];
  noun: string;
  empty: () => T;
  title: (item: T, index: number) => string;
  children: (prefix: string, index: number) => ReactNode;
  min?: number;
  level?: 4 | 5 | 6;
}) {
  const { form, isExisting, errorOf } = useWizardFields();
  const listError = errorOf(path);
  return (
    <Stack gap="sm">
      {items.map((item, i) => {
        const prefix = `${path}.${i}`;
        const existing = isExisting(prefix);
        return (
          <Card key={i} withBorder padding="sm" role="group" aria-label={title(item, i)}>
            <Group justify="space-between" mb="xs" wrap="nowrap">
              <Group gap="xs">
                <Title order={level}>{title(item, i)}</Title>
                {existing && (
                  <Badge variant="light" color="gray">
                    at Klarna — read-only
                  </Badge>
                )}
              </Group>
              {!existing && items.length > min && (
                <ActionIcon variant="subtle" color="red" aria-label={`Remove ${title(item, i)}`} onClick={() => form.removeListItem(path, i)}>
                  ×
                </ActionIcon>
              )}
            </Group>
            <Stack gap="sm">{children(prefix, i)}</Stack>
          </Card>
        );
      })}
      {listError && (
        <Text c="red" size="sm" id={fieldId(path)} role="alert">
          {listError}
        </Text>
      )}
      <Group>
        <Button variant="light" size="xs" onClick={() => form.insertListItem(path, empty())}>
          Add {noun}
        </Button>
      </Group>
    </Stack>
  );
}
