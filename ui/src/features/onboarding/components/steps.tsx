// The wizard's steps: what each page of it asks for.
import { Alert, Divider, SimpleGrid, Stack, Text } from '@mantine/core';
import type { Catalogue } from '../api/onboarding';
import {
  emptyAddress,
  emptyBankAccount,
  emptyBrand,
  emptyEntity,
  emptyPaymentAccount,
  emptyStakeholder,
  emptyStore,
  emptyStoreGroup,
  type EntityValues,
  type OnboardingValues,
} from '../model';
import type { ExistingRefs } from '../schema';
import { AddressFields, CheckboxField, Repeat, SelectField, SuggestField, TagsField, TextField, useWizardFields } from './fields';

export const ROLES = ['OWNER', 'DIRECTOR', 'BENEFICIAL_OWNER', 'SIGNATORY', 'REPRESENTATIVE'];
const ENTITY_TYPES = ['LIMITED_LIABILITY_COMPANY', 'SOLE_TRADER', 'PARTNERSHIP', 'PUBLIC_LIMITED_COMPANY', 'NON_PROFIT'];
export const STORE_TYPES = [
  { value: 'WEBSITE', label: 'Web site' },
  { value: 'PHYSICAL', label: 'Physical store' },
  { value: 'MOBILE_APP', label: 'Mobile app' },
];
export const NETWORKS = ['FACEBOOK', 'INSTAGRAM', 'TIKTOK', 'X', 'YOUTUBE', 'LINKEDIN', 'PINTEREST'];

const named = (ref: string, fallback: string) => (ref.trim() ? ref.trim() : fallback);

export function AccountStep({ incremental }: { incremental: boolean }) {
  return (
    <Stack>
      {incremental && (
        <Alert color="blue" variant="light">
          This adds to an existing partner. Its account, and everything Klarna already holds, stay as they are; only what you add here is sent.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <IdentityField path="partner_account_reference" label="Partner reference" description="Your unique key for this merchant" locked={incremental} />
        <IdentityField path="partner_account_name" label="Partner name" description="Not shown to shoppers" locked={incremental} />
      </SimpleGrid>
      <Divider label="Contact" labelPosition="left" />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextField path="partner_account_contact.given_name" label="Given name" />
        <TextField path="partner_account_contact.family_name" label="Family name" />
        <TextField path="partner_account_contact.email" label="E-mail" type="email" required />
        <TextField path="partner_account_contact.phone" label="Phone" type="tel" placeholder="+46701234567" description="International form (E.164)" />
      </SimpleGrid>
    </Stack>
  );
}

function IdentityField(props: { path: string; label: string; description: string; locked: boolean }) {
  const { form } = useWizardFields();
  if (props.locked) {
    return (
      <div>
        <Text size="sm" fw={500}>
          {props.label}
        </Text>
        <Text size="sm">{String(form.getValues()[props.path as 'partner_account_name'])}</Text>
      </div>
    );
  }
  return <TextField path={props.path} label={props.label} description={props.description} required />;
}

export function EntitiesStep({ values }: { values: OnboardingValues }) {
  return (
    <Stack>
      <Repeat path="partner_business_entities" items={values.partner_business_entities} noun="business entity" empty={emptyEntity} title={(e, i) => named(e.partner_business_entity_reference, `Business entity ${i + 1}`)} level={4}>
        {(p, i) => {
          const e = values.partner_business_entities[i];
          if (!e) return null;
          return <EntityFields p={p} e={e} />;
        }}
      </Repeat>
      <CheckboxField
        path="hash_bank_accounts"
        label="Hash bank account numbers"
        description="Send each IBAN Argon2id-hashed with the salt agreed with Klarna instead of in clear (upper-cased, spaces removed first)."
      />
    </Stack>
  );
}

/** One business entity's fields under the form path `p` (the wizard's, and the partner page's entity form). */
export function EntityFields({ p, e }: { p: string; e: EntityValues }) {
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextField path={`${p}.partner_business_entity_reference`} label="Entity reference" required />
        <TextField path={`${p}.legal_registered_entity_name`} label="Registered legal name" required />
        <TextField path={`${p}.legal_registration_country`} label="Country of registration" placeholder="SE" description="ISO 3166-1 alpha-2" required />
      </SimpleGrid>
      <TagsField path={`${p}.enabled_merchant_category_codes`} label="Merchant category codes" description="4 digits each; press Enter after each" placeholder="5941" />
      <Divider label="Legal registration" labelPosition="left" />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextField path={`${p}.legal_registration.legal_registration_number`} label="Registration number" />
        <TextField path={`${p}.legal_registration.legal_registration_authority`} label="Registration authority" />
        <SuggestField path={`${p}.legal_registration.legal_registration_entity_type`} label="Entity type" data={ENTITY_TYPES} />
        <TextField path={`${p}.legal_registration.tax_registration_number`} label="Tax registration number" />
        <TextField path={`${p}.legal_registration.financial_conduct_authority_number`} label="Financial conduct authority number" />
      </SimpleGrid>
      <AddressFields path={`${p}.legal_registration.legal_registration_address`} title="Registered address (all of it, or none)" />
      <Divider label="Operating addresses" labelPosition="left" />
      <Repeat path={`${p}.operating_addresses`} items={e.operating_addresses} noun="operating address" empty={emptyAddress} title={(_, j) => `Operating address ${j + 1}`} level={5}>
        {(ap) => <AddressFields path={ap} />}
      </Repeat>
      <Divider label="Stakeholders" labelPosition="left" />
      <Repeat path={`${p}.stakeholders`} items={e.stakeholders} noun="stakeholder" empty={emptyStakeholder} title={(s, j) => named(`${s.given_name} ${s.family_name}`, `Stakeholder ${j + 1}`)} level={5}>
        {(sp) => (
          <>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextField path={`${sp}.given_name`} label="Given name" required />
              <TextField path={`${sp}.family_name`} label="Family name" required />
              <TextField path={`${sp}.date_of_birth`} label="Date of birth" placeholder="YYYY-MM-DD" />
              <TextField path={`${sp}.national_identification.number`} label="National identification number" />
              <TextField path={`${sp}.national_identification.country`} label="Issued by (country)" placeholder="SE" />
              <TagsField path={`${sp}.roles`} label="Roles" data={ROLES} required />
            </SimpleGrid>
            <AddressFields path={`${sp}.address`} title="Address (all of it, or none)" />
          </>
        )}
      </Repeat>
      <Divider label="Bank accounts" labelPosition="left" />
      <Repeat path={`${p}.bank_accounts`} items={e.bank_accounts} noun="bank account" empty={emptyBankAccount} title={(b, j) => named(b.account_holder, `Bank account ${j + 1}`)} level={5}>
        {(bp) => (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextField path={`${bp}.account_holder`} label="Account holder" required />
            <TextField path={`${bp}.iban`} label="IBAN" required />
            <TextField path={`${bp}.bic`} label="BIC" />
          </SimpleGrid>
        )}
      </Repeat>
    </>
  );
}

/** The references a payment account or store group may point at: this onboarding's, then the account's. */
function refs(defined: string[], existing: string[]): string[] {
  return [...new Set([...defined.map((r) => r.trim()).filter(Boolean), ...existing])];
}

export function PaymentStep({ values, catalogue, existing }: { values: OnboardingValues; catalogue: Catalogue | undefined; existing: ExistingRefs }) {
  const profiles = (catalogue?.payment_profiles ?? []).map((p) => ({ value: p.payment_profile_id, label: p.name || p.payment_profile_id }));
  const acquiring = (catalogue?.acquiring_accounts ?? []).map((a) => ({
    value: a.payment_acquiring_account_id,
    label: `${a.name || a.payment_acquiring_account_id} (${[a.country, a.settlement_currency].filter(Boolean).join(', ')})`,
  }));
  const entities = refs(values.partner_business_entities.map((e) => e.partner_business_entity_reference), existing.business_entities).map((r) => ({ value: r, label: r }));
  const groups = refs(values.store_groups.map((g) => g.store_group_reference), existing.store_groups);
  return (
    <Stack>
      <SelectField path="payment_product.payment_profile_id" label="Payment profile" description="Pricing and payment programs agreed with Klarna" data={profiles} required searchable />
      <Repeat path="payment_product.payment_accounts" items={values.payment_product.payment_accounts} noun="payment account" empty={emptyPaymentAccount} title={(a, i) => named(a.payment_account_reference, `Payment account ${i + 1}`)}>
        {(p) => (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextField path={`${p}.payment_account_reference`} label="Payment account reference" description="Unique within the acquiring account" required />
            <SelectField path={`${p}.payment_acquiring_account_id`} label="Acquiring account" data={acquiring} required />
            <SelectField path={`${p}.partner_business_entity_reference`} label="Business entity" data={entities} required />
            <TextField path={`${p}.default_merchant_category_code`} label="Default MCC" placeholder="5941" inputMode="numeric" description="4 digits" required />
            <SuggestField path={`${p}.default_store_group_reference`} label="Default store group" description="A store group of this onboarding (next steps) or of the account" data={groups} />
          </SimpleGrid>
        )}
      </Repeat>
    </Stack>
  );
}

export function BrandsStep({ values }: { values: OnboardingValues }) {
  return (
    <Repeat path="brands" items={values.brands} noun="brand" empty={emptyBrand} title={(b, i) => named(b.display_name || b.brand_reference, `Brand ${i + 1}`)}>
      {(p) => (
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextField path={`${p}.brand_reference`} label="Brand reference" required />
          <TextField path={`${p}.display_name`} label="Display name" description="What shoppers see" required />
          <TextField path={`${p}.logo_url`} label="Logo URL" type="url" placeholder="https://" />
          <TextField path={`${p}.icon_url`} label="Icon URL" type="url" placeholder="https://" />
          <TextField path={`${p}.feature_image_url`} label="Feature image URL" type="url" placeholder="https://" />
        </SimpleGrid>
      )}
    </Repeat>
  );
}

export function StoreGroupsStep({ values, existing }: { values: OnboardingValues; existing: ExistingRefs }) {
  const brands = refs(values.brands.map((b) => b.brand_reference), existing.brands).map((r) => ({ value: r, label: r }));
  return (
    <Repeat path="store_groups" items={values.store_groups} noun="store group" empty={emptyStoreGroup} title={(g, i) => named(g.store_group_reference, `Store group ${i + 1}`)}>
      {(p, i) => (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextField path={`${p}.store_group_reference`} label="Store group reference" required />
            <SelectField path={`${p}.brand_reference`} label="Brand" data={brands} required />
            <TextField path={`${p}.support_email`} label="Support e-mail" type="email" />
            <TextField path={`${p}.support_phone`} label="Support phone" type="tel" placeholder="+4687654321" />
            <TextField path={`${p}.support_contact_form`} label="Support contact form" type="url" placeholder="https://" />
          </SimpleGrid>
          <Repeat path={`${p}.social_media_links`} items={values.store_groups[i]?.social_media_links ?? []} noun="social media link" empty={() => ({ provider: '', url: '' })} title={(l, j) => named(l.provider, `Link ${j + 1}`)} level={5}>
            {(lp) => (
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <SuggestField path={`${lp}.provider`} label="Network" data={NETWORKS} required />
                <TextField path={`${lp}.url`} label="Address" type="url" required />
              </SimpleGrid>
            )}
          </Repeat>
        </>
      )}
    </Repeat>
  );
}

export function StoresStep({ values }: { values: OnboardingValues }) {
  if (values.store_groups.length === 0) {
    return <Alert color="yellow">Stores belong to a store group: add one in the previous step first.</Alert>;
  }
  return (
    <Stack>
      {values.store_groups.map((g, i) => (
        <Stack key={i} gap="xs">
          <Text fw={600}>Stores of {named(g.store_group_reference, `store group ${i + 1}`)}</Text>
          <Repeat path={`store_groups.${i}.stores`} items={g.stores} noun="store" empty={emptyStore} title={(s, j) => named(s.store_reference, `Store ${j + 1}`)} level={5}>
            {(p) => (
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextField path={`${p}.store_reference`} label="Store reference" required />
                <SelectField path={`${p}.type`} label="Kind" data={STORE_TYPES} required />
                <TextField path={`${p}.url`} label="Web address" type="url" placeholder="https://" />
              </SimpleGrid>
            )}
          </Repeat>
        </Stack>
      ))}
    </Stack>
  );
}
