import { Alert } from '@mantine/core';
import { ApiError } from '@/lib/api';
import { AlertIcon } from './icons';

/**
 * The part of a failed submit the fields do not show: the message, unless
 * every field error already landed on a field of the form.
 */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && error.fieldErrors.length > 0) {
    const shown = error.fieldErrors.every((e) => fields.some((f) => e.field === f || e.field.startsWith(`${f}[`) || e.field.startsWith(`${f}.`)));
    if (shown) return null;
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" variant="light" icon={<AlertIcon />} role="alert" title="Not saved">
      {message}
    </Alert>
  );
}

/** The server's message for a form field, if the last submit failed on it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldErrorFor(field) : undefined;
}
