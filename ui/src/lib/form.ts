// The one way forms validate and show errors.
//
// - A zod schema says what each field accepts; on submit every invalid field
//   gets its message at once (never only the first), and nothing is sent.
// - Nothing is clamped or corrected behind the user's back: an out-of-range
//   value stays as typed and its field says what is allowed.
// - The server's problem+json field errors (`errors: [{field, message}]`) land
//   on the same fields, `roles[0]` or `address.city` on `roles` / `address`;
//   `unplacedFieldErrors` lists those no field of the form shows, for
//   <FormError> to show above the buttons.
import { schemaResolver, useForm, type UseFormReturnType } from '@mantine/form';
import type { z } from 'zod';
import { ApiError, type FieldError } from './api';

type Values = Record<string, unknown>;

/**
 * A Mantine form whose values are checked by `schema`: every invalid field at
 * once. The values are typed as the inputs hold them (a NumberInput may hold
 * ''); parse them with the schema in the submit handler for the checked
 * output.
 */
export function useSchemaForm<V extends Values>(schema: z.ZodType, initialValues: V): UseFormReturnType<V> {
  return useForm<V>({
    mode: 'controlled',
    initialValues,
    validate: schemaResolver(schema, { sync: true }),
    // Editing a field takes its error away until the next submit.
    clearInputErrorOnChange: true,
  });
}

/** The form field a server field error belongs to: itself, or the field it is an element or part of. */
export function formFieldOf(serverField: string, fields: readonly string[]): string | undefined {
  return fields.find((f) => serverField === f || serverField.startsWith(`${f}[`) || serverField.startsWith(`${f}.`));
}

/** The server's field errors that none of `fields` shows. */
export function unplacedFieldErrors(error: unknown, fields: readonly string[]): FieldError[] {
  if (!(error instanceof ApiError)) return [];
  return error.fieldErrors.filter((e) => !formFieldOf(e.field, fields));
}

/** The server's field errors as form errors: one message per form field (the first the server gave). */
export function serverFieldErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.fieldErrors) {
    const f = formFieldOf(e.field, fields);
    if (f && !(f in out)) out[f] = e.message;
  }
  return out;
}

/** Puts the server's field errors of a failed submit on the form's fields (all of them at once). */
export function applyServerErrors<V extends Values>(form: UseFormReturnType<V>, error: unknown, fields: readonly string[]) {
  form.setErrors(serverFieldErrors(error, fields));
}

/** The server's message for one form field, for a field not managed by a schema form. */
export function fieldError(error: unknown, field: string): string | undefined {
  return serverFieldErrors(error, [field])[field];
}
