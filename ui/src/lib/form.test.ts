import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { fieldError, formFieldOf, serverFieldErrors, unplacedFieldErrors } from './form';

const problem = new ApiError({
  type: 'https://partnerdesk.dev/problems/invalid',
  title: 'Invalid',
  status: 400,
  detail: 'Check the token.',
  errors: [
    { field: 'name', message: 'too long' },
    { field: 'roles[1]', message: 'not yours' },
    { field: 'roles[2]', message: 'not yours either' },
    { field: 'address.city', message: 'unknown city' },
    { field: 'tenant_id', message: 'no such tenant' },
  ],
});

describe('form errors from the server', () => {
  it('maps every field error onto its form field, elements and parts included, first message per field', () => {
    expect(serverFieldErrors(problem, ['name', 'roles', 'address'])).toEqual({ name: 'too long', roles: 'not yours', address: 'unknown city' });
    expect(fieldError(problem, 'roles')).toBe('not yours');
    expect(fieldError(problem, 'rolesx')).toBeUndefined();
    expect(formFieldOf('roles[0]', ['role', 'roles'])).toBe('roles');
  });

  it('lists the field errors no field shows, for the alert', () => {
    expect(unplacedFieldErrors(problem, ['name', 'roles', 'address']).map((e) => e.field)).toEqual(['tenant_id']);
    expect(unplacedFieldErrors(new Error('boom'), ['name'])).toEqual([]);
  });
});
