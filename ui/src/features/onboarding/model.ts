// The wizard's form values: the onboarding document (internal/partner
// Onboarding JSON) with every optional text present as '' and every optional
// object present, so each input has a value to hold. `toPayload` drops what
// is empty again; `fromPayload` fills it in. Paths are the same either way,
// so a server field path names the form field it belongs to.

export interface AddressValues {
  street_address: string;
  street_address2: string;
  postal_code: string;
  city: string;
  region: string;
  country: string;
}

export interface LegalRegistrationValues {
  legal_registration_number: string;
  legal_registration_authority: string;
  legal_registration_entity_type: string;
  tax_registration_number: string;
  financial_conduct_authority_number: string;
  legal_registration_address: AddressValues;
}

export interface StakeholderValues {
  given_name: string;
  family_name: string;
  date_of_birth: string;
  address: AddressValues;
  national_identification: { number: string; country: string };
  roles: string[];
}

export interface BankAccountValues {
  bank_account_type: string;
  account_holder: string;
  bic: string;
  iban: string;
}

export interface EntityValues {
  partner_business_entity_reference: string;
  legal_registered_entity_name: string;
  legal_registration_country: string;
  enabled_merchant_category_codes: string[];
  legal_registration: LegalRegistrationValues;
  operating_addresses: AddressValues[];
  stakeholders: StakeholderValues[];
  bank_accounts: BankAccountValues[];
}

export interface PaymentAccountValues {
  payment_account_reference: string;
  payment_acquiring_account_id: string;
  partner_business_entity_reference: string;
  default_merchant_category_code: string;
  default_store_group_reference: string;
}

export interface BrandValues {
  brand_reference: string;
  display_name: string;
  logo_url: string;
  icon_url: string;
  feature_image_url: string;
}

export interface StoreValues {
  store_reference: string;
  type: string;
  url: string;
}

export interface StoreGroupValues {
  store_group_reference: string;
  brand_reference: string;
  support_email: string;
  support_phone: string;
  support_contact_form: string;
  social_media_links: { provider: string; url: string }[];
  stores: StoreValues[];
}

export type OnboardingValues = {
  partner_account_reference: string;
  partner_account_name: string;
  partner_account_contact: { given_name: string; family_name: string; email: string; phone: string };
  partner_business_entities: EntityValues[];
  payment_product: { payment_profile_id: string; payment_accounts: PaymentAccountValues[] };
  brands: BrandValues[];
  store_groups: StoreGroupValues[];
  hash_bank_accounts: boolean;
};

/** The onboarding document as the API carries it (optional parts left out). */
export type OnboardingPayload = Record<string, unknown>;

// ---- empty values, for "Add …" buttons and new drafts ----

export const emptyAddress = (): AddressValues => ({ street_address: '', street_address2: '', postal_code: '', city: '', region: '', country: '' });

export const emptyStakeholder = (): StakeholderValues => ({
  given_name: '',
  family_name: '',
  date_of_birth: '',
  address: emptyAddress(),
  national_identification: { number: '', country: '' },
  roles: [],
});

export const emptyBankAccount = (): BankAccountValues => ({ bank_account_type: 'IBAN', account_holder: '', bic: '', iban: '' });

export const emptyEntity = (): EntityValues => ({
  partner_business_entity_reference: '',
  legal_registered_entity_name: '',
  legal_registration_country: '',
  enabled_merchant_category_codes: [],
  legal_registration: {
    legal_registration_number: '',
    legal_registration_authority: '',
    legal_registration_entity_type: '',
    tax_registration_number: '',
    financial_conduct_authority_number: '',
    legal_registration_address: emptyAddress(),
  },
  operating_addresses: [],
  stakeholders: [],
  bank_accounts: [],
});

export const emptyPaymentAccount = (): PaymentAccountValues => ({
  payment_account_reference: '',
  payment_acquiring_account_id: '',
  partner_business_entity_reference: '',
  default_merchant_category_code: '',
  default_store_group_reference: '',
});

export const emptyBrand = (): BrandValues => ({ brand_reference: '', display_name: '', logo_url: '', icon_url: '', feature_image_url: '' });
export const emptyStore = (): StoreValues => ({ store_reference: '', type: 'WEBSITE', url: '' });
export const emptyStoreGroup = (): StoreGroupValues => ({
  store_group_reference: '',
  brand_reference: '',
  support_email: '',
  support_phone: '',
  support_contact_form: '',
  social_media_links: [],
  stores: [],
});

/** A new partner's first values: one entity, one payment account, one brand, one store group with one store. */
export function newPartnerValues(): OnboardingValues {
  return {
    partner_account_reference: '',
    partner_account_name: '',
    partner_account_contact: { given_name: '', family_name: '', email: '', phone: '' },
    partner_business_entities: [emptyEntity()],
    payment_product: { payment_profile_id: '', payment_accounts: [emptyPaymentAccount()] },
    brands: [emptyBrand()],
    store_groups: [{ ...emptyStoreGroup(), stores: [emptyStore()] }],
    hash_bank_accounts: false,
  };
}

/** An incremental draft's first values: the account's identity, nothing new yet. */
export function incrementalValues(reference: string, name: string): OnboardingValues {
  return {
    ...newPartnerValues(),
    partner_account_reference: reference,
    partner_account_name: name,
    partner_business_entities: [],
    payment_product: { payment_profile_id: '', payment_accounts: [] },
    brands: [],
    store_groups: [],
  };
}

// ---- values ↔ payload ----

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Fills the form's `template` with the texts and flags of `src` of the same names. */
export function fill<T extends object>(template: T, src: Json): T {
  const out: Json = { ...(template as Json) };
  for (const key of Object.keys(template)) {
    const t = (template as Json)[key];
    if (typeof t === 'string') out[key] = str(src[key]);
    else if (typeof t === 'boolean') out[key] = src[key] === true;
  }
  return out as T;
}

const addressFrom = (v: unknown): AddressValues => fill(emptyAddress(), obj(v));

/** An entity's form values from its onboarding JSON. */
export function entityFrom(v: Json): EntityValues {
  const e = emptyEntity();
  const lr = obj(v.legal_registration);
  return {
    ...fill(e, v),
    enabled_merchant_category_codes: strings(v.enabled_merchant_category_codes),
    legal_registration: { ...fill(e.legal_registration, lr), legal_registration_address: addressFrom(lr.legal_registration_address) },
    operating_addresses: list(v.operating_addresses).map(addressFrom),
    stakeholders: list(v.stakeholders).map((s) => ({
      ...fill(emptyStakeholder(), s),
      address: addressFrom(s.address),
      national_identification: fill({ number: '', country: '' }, obj(s.national_identification)),
      roles: strings(s.roles),
    })),
    bank_accounts: list(v.bank_accounts).map((b) => fill(emptyBankAccount(), b)),
  };
}

/** The form values of an onboarding document from the API. */
export function fromPayload(p: OnboardingPayload | undefined | null): OnboardingValues {
  const v = obj(p);
  const product = obj(v.payment_product);
  return {
    partner_account_reference: str(v.partner_account_reference),
    partner_account_name: str(v.partner_account_name),
    partner_account_contact: fill({ given_name: '', family_name: '', email: '', phone: '' }, obj(v.partner_account_contact)),
    partner_business_entities: list(v.partner_business_entities).map(entityFrom),
    payment_product: {
      payment_profile_id: str(product.payment_profile_id),
      payment_accounts: list(product.payment_accounts).map((a) => fill(emptyPaymentAccount(), a)),
    },
    brands: list(v.brands).map((b) => fill(emptyBrand(), b)),
    store_groups: list(v.store_groups).map((g) => ({
      ...fill(emptyStoreGroup(), g),
      social_media_links: list(g.social_media_links).map((l) => fill({ provider: '', url: '' }, l)),
      stores: list(g.stores).map((s) => fill(emptyStore(), s)),
    })),
    hash_bank_accounts: v.hash_bank_accounts === true,
  };
}

/**
 * The values a draft opens with. A fresh new-partner draft (nothing below
 * the account yet) gets one blank entity, payment account, brand, store
 * group and store to fill in, as most partners need exactly one of each.
 */
export function startingValues(kind: 'new' | 'incremental', p: OnboardingPayload | undefined | null): OnboardingValues {
  const v = fromPayload(p);
  const fresh =
    v.partner_business_entities.length === 0 && v.brands.length === 0 && v.store_groups.length === 0 && v.payment_product.payment_accounts.length === 0 && !v.payment_product.payment_profile_id;
  if (kind !== 'new' || !fresh) return v;
  const blank = newPartnerValues();
  return { ...v, partner_business_entities: blank.partner_business_entities, payment_product: blank.payment_product, brands: blank.brands, store_groups: blank.store_groups };
}

/** Texts trimmed; empty texts, empty objects (but not list items) and empty optional lists left out. */
function compact(v: unknown, keepEmptyList: boolean): unknown {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (Array.isArray(v)) {
    // Items of objects stay where they are, even empty, so the server's
    // `brands[2]` is the form's third brand; empty texts in a list go.
    const items = v
      .map((x) => (x && typeof x === 'object' ? (compact(x, false) ?? {}) : compact(x, false)))
      .filter((x) => x !== undefined);
    return items.length || keepEmptyList ? items : undefined;
  }
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      const c = compact(x, REQUIRED_LISTS.has(k));
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (v === false) return undefined;
  return v;
}

/** Lists the document always carries, empty or not. */
const REQUIRED_LISTS = new Set(['partner_business_entities', 'brands', 'store_groups', 'stores', 'payment_accounts', 'roles']);

/** The onboarding document the form describes, as the API takes it. */
export function toPayload(values: OnboardingValues): OnboardingPayload {
  const out = (compact(values, false) ?? {}) as Json;
  for (const k of ['partner_business_entities', 'brands', 'store_groups']) out[k] ??= [];
  const product = obj(out.payment_product);
  if (!product.payment_profile_id && list(product.payment_accounts).length === 0) delete out.payment_product;
  const contact = obj(out.partner_account_contact);
  out.partner_account_contact = contact;
  return out;
}

// ---- steps ----

export type StepId = 'account' | 'entities' | 'payment' | 'brands' | 'store_groups' | 'stores' | 'review';

export const STEPS: readonly { id: StepId; label: string; description: string }[] = [
  { id: 'account', label: 'Account', description: 'Account and contact' },
  { id: 'entities', label: 'Business entities', description: 'Legal entities, stakeholders, bank accounts' },
  { id: 'payment', label: 'Payment product', description: 'Profile and payment accounts' },
  { id: 'brands', label: 'Brands', description: 'How shoppers see the partner' },
  { id: 'store_groups', label: 'Store groups', description: 'Support contacts per brand' },
  { id: 'stores', label: 'Stores', description: 'Web sites and points of sale' },
  { id: 'review', label: 'Review', description: 'The payload sent to Klarna' },
];

export const STEP_LABEL: Record<StepId, string> = Object.fromEntries(STEPS.map((s) => [s.id, s.label])) as Record<StepId, string>;

export function isStepId(s: string | undefined | null): s is StepId {
  return STEPS.some((x) => x.id === s);
}

/** The step whose page holds the field at a form path (`store_groups.0.stores.1.url` → stores). */
export function stepOf(path: string): StepId {
  if (path.startsWith('partner_account_')) return 'account';
  if (path.startsWith('partner_business_entities') || path === 'hash_bank_accounts') return 'entities';
  if (path.startsWith('payment_product')) return 'payment';
  if (path.startsWith('brands')) return 'brands';
  if (/^store_groups\.\d+\.stores/.test(path)) return 'stores';
  if (path.startsWith('store_groups')) return 'store_groups';
  return 'review';
}

/** The errors that belong on one step's page. */
export function errorsOfStep(errors: Record<string, unknown>, step: StepId): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) if (message && stepOf(path) === step) out[path] = String(message);
  return out;
}

/** Errors grouped by step, in step order (the review's list of problems). */
export function errorsByStep(errors: Record<string, unknown>): { step: StepId; errors: { path: string; message: string }[] }[] {
  return STEPS.map((s) => ({
    step: s.id,
    errors: Object.entries(errorsOfStep(errors, s.id)).map(([path, message]) => ({ path, message })),
  })).filter((g) => g.errors.length > 0);
}

/** The DOM id of a field's input, so a problem can link to it. */
export function fieldId(path: string): string {
  return `f-${path.replace(/\./g, '-')}`;
}
