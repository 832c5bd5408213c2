// Klarna's onboarding rules (README §5.2) as zod schemas over the wizard's
// values: one per step, and the whole document with its cross-references.
// The server checks the same rules (internal/partner) and has the last word;
// these let the admin see every problem before anything is sent.
import { z } from 'zod';
import { isCountry } from './countries';
import type { AddressValues, OnboardingValues, StepId } from './model';

/** What the account already holds at Klarna, by reference (incremental onboarding). */
export interface ExistingRefs {
  business_entities: string[];
  brands: string[];
  store_groups: string[];
  stores: string[];
  /** Payment accounts as (acquiring account, reference) pairs. */
  payment_accounts: { payment_acquiring_account_id: string; payment_account_reference: string }[];
}

export const NO_EXISTING: ExistingRefs = { business_entities: [], brands: [], store_groups: [], stores: [], payment_accounts: [] };

export interface SchemaContext {
  kind: 'new' | 'incremental';
  existing: ExistingRefs;
}

// ---- the rules ----

export const E164 = /^\+[1-9]\d{1,14}$/;
export const MCC = /^\d{4}$/;
const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;
const BIC = /^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isEmail(v: string): boolean {
  return z.email().safeParse(v).success;
}

/** An absolute http(s) address with a host. */
export function isWebUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.includes('.');
  } catch {
    return false;
  }
}

/** A real calendar date (YYYY-MM-DD) not after today. */
export function isPastDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && d.getTime() <= Date.now();
}

const compactUpper = (v: string) => v.replace(/\s+/g, '').toUpperCase();

/** An IBAN (spaces and case ignored) whose ISO 13616 check digits are right. */
export function isIban(v: string): boolean {
  const s = compactUpper(v);
  if (!IBAN.test(s)) return false;
  const digits = (s.slice(4) + s.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return BigInt(digits) % 97n === 1n;
}

const required = (message: string) => z.string().refine((v) => v.trim() !== '', message);
/** An optional text that, when given, must pass `ok`. */
const optional = (ok: (v: string) => boolean, message: string) => z.string().refine((v) => v.trim() === '' || ok(v.trim()), message);
const country = (what: string) =>
  z.string().refine((v) => v.trim() !== '', `Choose the ${what}.`).refine((v) => v.trim() === '' || isCountry(v.trim()), 'Use a two-letter ISO country code such as SE or DE.');

const email = (what: string) =>
  z.string().refine((v) => v.trim() !== '', `Enter the ${what}.`).refine((v) => v.trim() === '' || isEmail(v.trim()), 'Enter an e-mail address such as name@example.com.');
const optionalEmail = optional(isEmail, 'Enter an e-mail address such as name@example.com.');
const optionalPhone = optional((v) => E164.test(v), 'Enter the phone number in international form (E.164), such as +46701234567.');
const optionalUrl = optional(isWebUrl, 'Enter a full web address starting with https://.');
const mcc = z.string().refine((v) => MCC.test(v.trim()), 'Enter a 4-digit merchant category code such as 5941.');

const ADDRESS_FIELDS = ['street_address', 'street_address2', 'postal_code', 'city', 'region', 'country'] as const;
const isBlankAddress = (a: AddressValues) => ADDRESS_FIELDS.every((k) => a[k].trim() === '');

/** An address: optional (`required` false) means all of it or none of it. */
const address = (isRequired: boolean) =>
  z
    .object({
      street_address: z.string(),
      street_address2: z.string(),
      postal_code: z.string(),
      city: z.string(),
      region: z.string(),
      country: z.string(),
    })
    .superRefine((a, ctx) => {
      if (!isRequired && isBlankAddress(a)) return;
      if (!a.street_address.trim()) ctx.addIssue({ code: 'custom', path: ['street_address'], message: 'Enter the street address.' });
      if (!a.postal_code.trim()) ctx.addIssue({ code: 'custom', path: ['postal_code'], message: 'Enter the postal code.' });
      if (!a.city.trim()) ctx.addIssue({ code: 'custom', path: ['city'], message: 'Enter the city.' });
      if (!a.country.trim()) ctx.addIssue({ code: 'custom', path: ['country'], message: 'Choose the country.' });
      else if (!isCountry(a.country.trim())) ctx.addIssue({ code: 'custom', path: ['country'], message: 'Use a two-letter ISO country code such as SE or DE.' });
    });

// ---- one schema per step ----

/** The partner account's contact (also edited on its own after onboarding). */
export const contactSchema = z.object({
  given_name: z.string(),
  family_name: z.string(),
  email: email('contact’s e-mail address'),
  phone: optionalPhone,
});

export const accountSchema = z.object({
  partner_account_reference: required('Enter your reference for this partner.'),
  partner_account_name: required('Enter the partner’s name.'),
  partner_account_contact: contactSchema,
});

const stakeholderSchema = z.object({
  given_name: required('Enter the stakeholder’s given name.'),
  family_name: required('Enter the stakeholder’s family name.'),
  date_of_birth: optional(isPastDate, 'Enter a past date as YYYY-MM-DD.'),
  address: address(false),
  national_identification: z
    .object({ number: z.string(), country: z.string() })
    .superRefine((n, ctx) => {
      const num = n.number.trim();
      const c = n.country.trim();
      if (!num && !c) return;
      if (!num) ctx.addIssue({ code: 'custom', path: ['number'], message: 'Enter the identification number, or clear its country.' });
      if (!c) ctx.addIssue({ code: 'custom', path: ['country'], message: 'Choose the country that issued the number.' });
      else if (!isCountry(c)) ctx.addIssue({ code: 'custom', path: ['country'], message: 'Use a two-letter ISO country code such as SE or DE.' });
    }),
  roles: z.array(z.string()).min(1, 'Choose at least one role, such as OWNER.'),
});

const bankAccountSchema = z.object({
  bank_account_type: z.string(),
  account_holder: required('Enter the account holder.'),
  bic: optional((v) => BIC.test(compactUpper(v)), 'Enter a BIC of 8 or 11 letters and digits, such as ESSESESS.'),
  iban: z
    .string()
    .refine((v) => v.trim() !== '', 'Enter the IBAN.')
    .refine((v) => v.trim() === '' || isIban(v), 'This is not a valid IBAN: check the country letters, the check digits and the number.'),
});

export const entitySchema = z.object({
  partner_business_entity_reference: required('Enter your reference for this entity.'),
  legal_registered_entity_name: required('Enter the registered legal name.'),
  legal_registration_country: country('country of registration'),
  enabled_merchant_category_codes: z
    .array(z.string())
    .refine((codes) => codes.every((c) => MCC.test(c.trim())), 'Each merchant category code has 4 digits, such as 5941.'),
  legal_registration: z.object({
    legal_registration_number: z.string(),
    legal_registration_authority: z.string(),
    legal_registration_entity_type: z.string(),
    tax_registration_number: z.string(),
    financial_conduct_authority_number: z.string(),
    legal_registration_address: address(false),
  }),
  operating_addresses: z.array(address(true)),
  stakeholders: z.array(stakeholderSchema),
  bank_accounts: z.array(bankAccountSchema),
});

export const entitiesSchema = z.object({ partner_business_entities: z.array(entitySchema), hash_bank_accounts: z.boolean() });

const paymentAccountSchema = z.object({
  payment_account_reference: required('Enter your reference for this payment account.'),
  payment_acquiring_account_id: required('Choose the acquiring account.'),
  partner_business_entity_reference: required('Choose the business entity.'),
  default_merchant_category_code: mcc,
  default_store_group_reference: z.string(),
});

export const paymentSchema = z.object({
  payment_product: z.object({ payment_profile_id: z.string(), payment_accounts: z.array(paymentAccountSchema) }),
});

/** One brand (also edited on its own after onboarding). */
export const brandSchema = z.object({
  brand_reference: required('Enter your reference for this brand.'),
  display_name: required('Enter the name shoppers see.'),
  logo_url: optionalUrl,
  icon_url: optionalUrl,
  feature_image_url: optionalUrl,
});

export const brandsSchema = z.object({ brands: z.array(brandSchema) });

/** One store (also edited on its own after onboarding). */
export const storeSchema = z
  .object({ store_reference: required('Enter your reference for this store.'), type: required('Choose the kind of store.'), url: z.string() })
  .superRefine((s, ctx) => {
    const url = s.url.trim();
    if (s.type === 'WEBSITE' && !url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'Enter the web site’s address.' });
    else if (url && !isWebUrl(url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'Enter a full web address starting with https://.' });
  });

/** One store group without its stores (also edited on its own after onboarding). */
export const storeGroupSchema = z.object({
  store_group_reference: required('Enter your reference for this store group.'),
  brand_reference: required('Choose the brand.'),
  support_email: optionalEmail,
  support_phone: optionalPhone,
  support_contact_form: optionalUrl,
  social_media_links: z.array(z.object({ provider: required('Choose the network.'), url: z.string().refine((v) => isWebUrl(v.trim()), 'Enter a full web address starting with https://.') })),
});

export const storeGroupsSchema = z.object({ store_groups: z.array(storeGroupSchema.extend({ stores: z.array(storeSchema) })) });

/** The schema of each step's own fields (review has none: it checks the whole document). */
export const STEP_SCHEMAS: Partial<Record<StepId, z.ZodType>> = {
  account: accountSchema,
  entities: entitiesSchema,
  payment: paymentSchema,
  brands: brandsSchema,
  store_groups: storeGroupsSchema,
  stores: storeGroupsSchema,
};

// ---- the whole document: each step's rules, then what ties the steps together ----

type Ctx = z.RefinementCtx;

/** Marks every reference after the first that another of its kind in the document already uses. */
function unique(ctx: Ctx, items: { ref: string; path: (string | number)[] }[], what: string) {
  const seen = new Set<string>();
  for (const { ref, path } of items) {
    const r = ref.trim();
    if (!r) continue;
    if (seen.has(r)) ctx.addIssue({ code: 'custom', path, message: `Another ${what} in this onboarding uses the reference “${r}”; each needs its own.` });
    seen.add(r);
  }
}

/** The rules of the whole onboarding document for a new partner or an addition to one. */
export function onboardingSchema(context: SchemaContext) {
  const { kind, existing } = context;
  return accountSchema
    .extend(entitiesSchema.shape)
    .extend(paymentSchema.shape)
    .extend(brandsSchema.shape)
    .extend(storeGroupsSchema.shape)
    .superRefine((v, ctx) => {
      const values = v as OnboardingValues;
      const entities = values.partner_business_entities;
      const accounts = values.payment_product.payment_accounts;
      if (entities.length === 0 && existing.business_entities.length === 0)
        ctx.addIssue({ code: 'custom', path: ['partner_business_entities'], message: 'Add at least one business entity.' });
      // A new partner needs its payment product to take payments; an addition may leave it alone.
      const product = values.payment_product;
      if (kind === 'new' || product.payment_profile_id.trim() || accounts.length > 0) {
        if (!product.payment_profile_id.trim()) ctx.addIssue({ code: 'custom', path: ['payment_product', 'payment_profile_id'], message: 'Choose the payment profile.' });
        if (accounts.length === 0)
          ctx.addIssue({ code: 'custom', path: ['payment_product', 'payment_accounts'], message: 'Add at least one payment account so the partner can take payments.' });
      }

      // (An incremental draft holds the account's resources too, read-only: their references are theirs.)
      unique(ctx, entities.map((e, i) => ({ ref: e.partner_business_entity_reference, path: ['partner_business_entities', i, 'partner_business_entity_reference'] })), 'business entity');
      unique(ctx, values.brands.map((b, i) => ({ ref: b.brand_reference, path: ['brands', i, 'brand_reference'] })), 'brand');
      unique(ctx, values.store_groups.map((g, i) => ({ ref: g.store_group_reference, path: ['store_groups', i, 'store_group_reference'] })), 'store group');
      unique(ctx, values.store_groups.flatMap((g, i) => g.stores.map((s, j) => ({ ref: s.store_reference, path: ['store_groups', i, 'stores', j, 'store_reference'] }))), 'store');
      // A payment account's reference is unique within its acquiring account.
      const byAcquiring = new Map<string, { ref: string; path: (string | number)[] }[]>();
      accounts.forEach((a, i) => {
        const acq = a.payment_acquiring_account_id.trim();
        byAcquiring.set(acq, [...(byAcquiring.get(acq) ?? []), { ref: a.payment_account_reference, path: ['payment_product', 'payment_accounts', i, 'payment_account_reference'] }]);
      });
      for (const items of byAcquiring.values()) unique(ctx, items, 'payment account');

      // Cross-references resolve inside the payload or on the account.
      const entityRefs = new Set([...entities.map((e) => e.partner_business_entity_reference.trim()), ...existing.business_entities]);
      const groupRefs = new Set([...values.store_groups.map((g) => g.store_group_reference.trim()), ...existing.store_groups]);
      const brandRefs = new Set([...values.brands.map((b) => b.brand_reference.trim()), ...existing.brands]);
      accounts.forEach((a, i) => {
        const e = a.partner_business_entity_reference.trim();
        if (e && !entityRefs.has(e))
          ctx.addIssue({ code: 'custom', path: ['payment_product', 'payment_accounts', i, 'partner_business_entity_reference'], message: `No business entity has the reference “${e}”.` });
        const g = a.default_store_group_reference.trim();
        if (g && !groupRefs.has(g))
          ctx.addIssue({ code: 'custom', path: ['payment_product', 'payment_accounts', i, 'default_store_group_reference'], message: `No store group has the reference “${g}”.` });
      });
      values.store_groups.forEach((g, i) => {
        const b = g.brand_reference.trim();
        if (b && !brandRefs.has(b)) ctx.addIssue({ code: 'custom', path: ['store_groups', i, 'brand_reference'], message: `No brand has the reference “${b}”.` });
      });
    });
}
