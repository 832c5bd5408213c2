import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { fieldError, formFieldOf, formPath, nestedFormErrors, serverFieldErrors, serverPath, unplacedFieldErrors, valueAt } from './form';

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

describe('nested forms', () => {
  const values = { partner_business_entities: [{ legal_registration_country: 'SWE', enabled_merchant_category_codes: ['5941', '59'] }] };

  it('turns server field paths into form paths and back', () => {
    expect(formPath('partner_business_entities[0].legal_registration_country')).toBe('partner_business_entities.0.legal_registration_country');
    expect(serverPath('store_groups.1.stores.0.url')).toBe('store_groups[1].stores[0].url');
    expect(valueAt(values, 'partner_business_entities.0.legal_registration_country')).toBe('SWE');
    expect(valueAt(values, 'brands.0')).toBeUndefined();
  });

  it('puts every server error on its nested field, an element of a list of codes on the list', () => {
    expect(
      nestedFormErrors(
        [
          { field: 'partner_business_entities[0].legal_registration_country', message: 'not ISO' },
          { field: 'partner_business_entities[0].enabled_merchant_category_codes[1]', message: '4 digits' },
          { field: 'partner_business_entities[0].legal_registration_country', message: 'second message' },
        ],
        values,
      ),
    ).toEqual({
      'partner_business_entities.0.legal_registration_country': 'not ISO',
      'partner_business_entities.0.enabled_merchant_category_codes': '4 digits',
    });
  });
});
