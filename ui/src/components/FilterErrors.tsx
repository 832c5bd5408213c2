import { Alert, List } from '@mantine/core';
import { AlertIcon } from '@/components/icons';
import type { ApiError } from '@/lib/api';
import { unplacedFieldErrors } from '@/lib/form';
import { usePhone } from '@/lib/phone';

/**
 * The filters the server refused: each on its input, and here those no input shows (on a phone every
 * one, as the inputs are folded away), so no field error goes unseen.
 */
export function FilterErrors({ error, fields }: { error: ApiError | undefined; fields: readonly string[] }) {
  const phone = usePhone();
  if (!error) return null;
  const listed = phone ? error.fieldErrors : unplacedFieldErrors(error, fields);
  return (
    <Alert color="red" variant="light" icon={<AlertIcon />} role="alert" title="These filters were not accepted" mb="md">
      {listed.length === 0 ? (
        'Correct the fields marked above and apply the filters again.'
      ) : (
        <List size="sm">
          {listed.map((e) => (
            <List.Item key={`${e.field}:${e.message}`}>
              {e.field}: {e.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
