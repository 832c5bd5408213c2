import { Alert, List } from '@mantine/core';
import { ApiError } from '@/lib/api';
import { unplacedFieldErrors } from '@/lib/form';
import { AlertIcon } from './icons';

export { fieldError } from '@/lib/form';

/**
 * The part of a failed submit the fields do not show: the message, and any
 * field error that belongs to none of the form's `fields`. Nothing when
 * every field error already landed on a field.
 */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  const unplaced = unplacedFieldErrors(error, fields);
  if (error instanceof ApiError && error.fieldErrors.length > 0 && unplaced.length === 0) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" variant="light" icon={<AlertIcon />} role="alert" title="Not saved">
      {message}
      {unplaced.length > 0 && (
        <List size="sm" mt={4}>
          {unplaced.map((e) => (
            <List.Item key={`${e.field}:${e.message}`}>
              {e.field}: {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
