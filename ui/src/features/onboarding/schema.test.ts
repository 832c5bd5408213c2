import { describe, expect, it } from 'vitest';
import { schemaErrors } from '@/lib/form';
import { fromPayload, newPartnerValues, startingValues, toPayload, type OnboardingValues } from './model';
import { validPartner } from './testing';
import { accountSchema, entitiesSchema, NO_EXISTING, onboardingSchema, type ExistingRefs } from './schema';

/** The i-th item, which the test knows is there. */
function at<T>(xs: readonly T[], i = 0): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no item ${i}`);
  return x;
}

const errorsOf = (v: OnboardingValues, existing: ExistingRefs = NO_EXISTING, kind: 'new' | 'incremental' = 'new') =>
  schemaErrors(onboardingSchema({ kind, existing }), v);

/** The one error a change causes, at its path. */
function onlyError(change: (v: OnboardingValues) => void, existing?: ExistingRefs): [string, string] {
  const v = validPartner();
  change(v);
  const errors = Object.entries(errorsOf(v, existing));
  expect(errors).toHaveLength(1);
  return at(errors);
}

describe('onboarding schema', () => {
  it('accepts a complete new partner', () => {
    expect(errorsOf(validPartner())).toEqual({});
  });

  it('shows every missing required field of an empty wizard at once', () => {
    const errors = errorsOf(newPartnerValues());
    expect(Object.keys(errors)).toEqual(
      expect.arrayContaining([
        'partner_account_reference',
        'partner_account_name',
        'partner_account_contact.email',
        'partner_business_entities.0.legal_registration_country',
        'payment_product.payment_profile_id',
        'payment_product.payment_accounts.0.default_merchant_category_code',
        'brands.0.display_name',
        'store_groups.0.brand_reference',
        'store_groups.0.stores.0.url',
      ]),
    );
  });

  it.each([
    ['a country that is not ISO 3166-1 alpha-2', (v: OnboardingValues) => (at(v.partner_business_entities).legal_registration_country = 'SWE'), 'partner_business_entities.0.legal_registration_country', /ISO country code/],
    ['an e-mail address without a domain', (v: OnboardingValues) => (v.partner_account_contact.email = 'ingrid@'), 'partner_account_contact.email', /e-mail address/],
    ['a phone number not in E.164', (v: OnboardingValues) => (v.partner_account_contact.phone = '070-555 01 23'), 'partner_account_contact.phone', /E\.164/],
    ['a 3-digit MCC', (v: OnboardingValues) => (at(v.payment_product.payment_accounts).default_merchant_category_code = '594'), 'payment_product.payment_accounts.0.default_merchant_category_code', /4-digit/],
    ['an enabled MCC that is not 4 digits', (v: OnboardingValues) => (at(v.partner_business_entities).enabled_merchant_category_codes = ['5941', '59x1']), 'partner_business_entities.0.enabled_merchant_category_codes', /4 digits/],
    ['a logo address that is not a URL', (v: OnboardingValues) => (at(v.brands).logo_url = 'cdn/logo.png'), 'brands.0.logo_url', /https:\/\//],
    ['a store web site without an address', (v: OnboardingValues) => (at(at(v.store_groups).stores).url = ''), 'store_groups.0.stores.0.url', /web site/],
    ['a support e-mail that is not one', (v: OnboardingValues) => (at(v.store_groups).support_email = 'help'), 'store_groups.0.support_email', /e-mail/],
    ['a missing display name', (v: OnboardingValues) => (at(v.brands).display_name = ' '), 'brands.0.display_name', /name shoppers see/],
    ['two brands with one reference', (v: OnboardingValues) => v.brands.push({ ...at(v.brands), display_name: 'Other' }), 'brands.1.brand_reference', /Another brand/],
    ['two stores with one reference in different groups', (v: OnboardingValues) => v.store_groups.push({ ...at(v.store_groups), store_group_reference: 'SG2', stores: [{ ...at(at(v.store_groups).stores) }] }), 'store_groups.1.stores.0.store_reference', /Another store/],
    ['two payment accounts with one reference on one acquiring account', (v: OnboardingValues) => v.payment_product.payment_accounts.push({ ...at(v.payment_product.payment_accounts) }), 'payment_product.payment_accounts.1.payment_account_reference', /Another payment account/],
    ['a payment account on an entity the payload does not define', (v: OnboardingValues) => (at(v.payment_product.payment_accounts).partner_business_entity_reference = 'LE-X'), 'payment_product.payment_accounts.0.partner_business_entity_reference', /No business entity has the reference “LE-X”/],
    ['a default store group nobody defines', (v: OnboardingValues) => (at(v.payment_product.payment_accounts).default_store_group_reference = 'SG-X'), 'payment_product.payment_accounts.0.default_store_group_reference', /No store group/],
    ['a store group of an unknown brand', (v: OnboardingValues) => (at(v.store_groups).brand_reference = 'BR-X'), 'store_groups.0.brand_reference', /No brand/],
    ['no payment account for a new partner', (v: OnboardingValues) => (v.payment_product.payment_accounts = []), 'payment_product.payment_accounts', /at least one payment account/],
  ])('refuses %s', (_name, change, path, message) => {
    const [p, m] = onlyError(change);
    expect(p).toBe(path);
    expect(m).toMatch(message);
  });

  it('asks for a whole address once any part of an optional one is given', () => {
    const v = validPartner();
    at(v.partner_business_entities).legal_registration.legal_registration_address.street_address = 'Storgatan 1';
    const addr = 'partner_business_entities.0.legal_registration.legal_registration_address';
    expect(errorsOf(v)).toEqual({
      [`${addr}.postal_code`]: 'Enter the postal code.',
      [`${addr}.city`]: 'Enter the city.',
      [`${addr}.country`]: 'Choose the country.',
    });
  });

  it('checks stakeholders and bank accounts', () => {
    const v = validPartner();
    at(v.partner_business_entities).stakeholders = [
      { given_name: 'Ingrid', family_name: 'Berg', date_of_birth: '1984-02-30', address: { street_address: '', street_address2: '', postal_code: '', city: '', region: '', country: '' }, national_identification: { number: '840212-1234', country: '' }, roles: [] },
    ];
    at(v.partner_business_entities).bank_accounts = [{ bank_account_type: 'IBAN', account_holder: '', bic: 'ESSE', iban: 'SE45 5000 0000 0583 9825 7466' }];
    expect(schemaErrors(entitiesSchema, v)).toEqual({
      'partner_business_entities.0.stakeholders.0.date_of_birth': expect.stringMatching(/past date/),
      'partner_business_entities.0.stakeholders.0.national_identification.country': expect.stringMatching(/country/),
      'partner_business_entities.0.stakeholders.0.roles': expect.stringMatching(/role/),
      'partner_business_entities.0.bank_accounts.0.account_holder': expect.stringMatching(/holder/),
      'partner_business_entities.0.bank_accounts.0.bic': expect.stringMatching(/BIC/),
    });
    // Right shape, wrong check digits.
    at(at(v.partner_business_entities).bank_accounts).iban = 'SE46 5000 0000 0583 9825 7466';
    expect(schemaErrors(entitiesSchema, v)).toHaveProperty(['partner_business_entities.0.bank_accounts.0.iban'], expect.stringMatching(/not a valid IBAN/));
  });

  it('lets an incremental onboarding point at what the account already holds', () => {
    const existing: ExistingRefs = { business_entities: ['OLD-LE'], brands: ['OLD-BR'], store_groups: ['OLD-SG'], stores: [], payment_accounts: [] };
    const v = validPartner();
    v.partner_business_entities = [];
    v.brands = [];
    at(v.payment_product.payment_accounts).partner_business_entity_reference = 'OLD-LE';
    at(v.payment_product.payment_accounts).default_store_group_reference = 'OLD-SG';
    at(v.store_groups).brand_reference = 'OLD-BR';
    expect(errorsOf(v, existing, 'incremental')).toEqual({});
    // Without the account's resources, the same references resolve to nothing.
    expect(Object.keys(errorsOf(v, NO_EXISTING, 'incremental'))).toEqual([
      'partner_business_entities',
      'payment_product.payment_accounts.0.partner_business_entity_reference',
      'payment_product.payment_accounts.0.default_store_group_reference',
      'store_groups.0.brand_reference',
    ]);
  });

  it('leaves the payment product of an incremental onboarding alone when nothing is added to it', () => {
    const v = validPartner();
    v.payment_product = { payment_profile_id: '', payment_accounts: [] };
    expect(errorsOf(v, NO_EXISTING, 'incremental')).toEqual({});
    expect(Object.keys(errorsOf(v, NO_EXISTING, 'new'))).toEqual(['payment_product.payment_profile_id', 'payment_product.payment_accounts']);
  });

  it('checks one step on its own', () => {
    expect(Object.keys(schemaErrors(accountSchema, newPartnerValues()))).toEqual([
      'partner_account_reference',
      'partner_account_name',
      'partner_account_contact.email',
    ]);
  });
});

describe('form values and payload', () => {
  it('leaves out what is empty, keeps list positions, and reads back the same values', () => {
    const v = validPartner();
    v.brands.push({ brand_reference: '', display_name: '', logo_url: '', icon_url: '', feature_image_url: '' });
    const p = toPayload(v);
    expect(p).not.toHaveProperty('hash_bank_accounts');
    expect(p.partner_business_entities).toEqual([{ partner_business_entity_reference: 'NW-0001-LE', legal_registered_entity_name: 'Fjällbacka Outdoor AB', legal_registration_country: 'SE' }]);
    expect(p.brands).toHaveLength(2);
    expect(fromPayload(p)).toEqual(v);
  });

  it('opens a fresh new-partner draft with one of each to fill in, and a started one as it was saved', () => {
    expect(startingValues('new', { partner_account_reference: 'NW-9', partner_business_entities: [], brands: [], store_groups: [] })).toEqual({ ...newPartnerValues(), partner_account_reference: 'NW-9' });
    const started = { ...toPayload(validPartner()), brands: [] };
    expect(startingValues('new', started).brands).toEqual([]);
    expect(startingValues('incremental', { partner_account_reference: 'NW-9' }).partner_business_entities).toEqual([]);
  });
});
