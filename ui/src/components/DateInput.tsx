import { TextInput } from '@mantine/core';

/** A filter's date field (YYYY-MM-DD; a stored time shows as its day), with the server's error on it. */
export const dateInput = (label: string, value: string | undefined, onChange: (v: string) => void, error?: string) => (
  <TextInput label={label} type="date" value={value?.slice(0, 10) ?? ''} onChange={(e) => onChange(e.currentTarget.value)} error={error} />
);
