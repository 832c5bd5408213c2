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

// ---- nested forms (the onboarding wizard): whole JSON documents as form values ----
//
// A nested form's values are shaped like the API's JSON, so a server field
// path (`partner_business_entities[0].legal_registration_country`) and a form
// path (`partner_business_entities.0.legal_registration_country`, what
// @mantine/form and the zod resolver use) name the same field.

/** The form path of a server field path: `a[0].b` → `a.0.b`. */
export function formPath(serverField: string): string {
  return serverField.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

/** The server field path of a form path: `a.0.b` → `a[0].b`. */
export function serverPath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/** The value at a form path, or undefined. */
export function valueAt(values: unknown, path: string): unknown {
  let v: unknown = values;
  for (const seg of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/**
 * The form field a nested server error belongs to. An element of a list of
 * plain values (`enabled_merchant_category_codes[1]`) is shown on the list's
 * input, so it maps to the list.
 */
export function nestedFieldOf(serverField: string, values: unknown): string {
  const path = formPath(serverField);
  const parent = /^(.*)\.\d+$/.exec(path)?.[1];
  if (parent !== undefined) {
    const list = valueAt(values, parent);
    if (Array.isArray(list) && list.every((x) => x === null || typeof x !== 'object')) return parent;
  }
  return path;
}

/** Field errors (server paths) as form errors on a nested form: one message per field, the first given. */
export function nestedFormErrors(errors: readonly FieldError[], values: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) {
    const f = nestedFieldOf(e.field, values);
    if (!(f in out)) out[f] = e.message;
  }
  return out;
}

/** What `schema` says about `values`, as form errors (form paths), every problem at once. */
export function schemaErrors(schema: z.ZodType, values: unknown): Record<string, string> {
  return schemaResolver(schema, { sync: true })(values) as Record<string, string>;
}
