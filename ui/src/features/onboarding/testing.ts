// Test data for the onboarding feature (a made-up partner shaped like
// Klarna's onboarding example), used by its tests only.
import { emptyBrand, emptyEntity, emptyPaymentAccount, emptyStore, emptyStoreGroup, newPartnerValues, type OnboardingValues } from './model';

export const PROFILE_ID = 'krn:partner:global:payment-profile:test:p1';
export const ACQUIRING_ID = 'krn:partner:global:payment-acquiring-account:test:a1';

/** A complete, valid new partner. */
export function validPartner(): OnboardingValues {
  return {
    ...newPartnerValues(),
    partner_account_reference: 'NW-0001',
    partner_account_name: 'Fjällbacka Outdoor Group',
    partner_account_contact: { given_name: 'Ingrid', family_name: 'Berg', email: 'ingrid@fjallbacka.example', phone: '+46705550123' },
    partner_business_entities: [
      { ...emptyEntity(), partner_business_entity_reference: 'NW-0001-LE', legal_registered_entity_name: 'Fjällbacka Outdoor AB', legal_registration_country: 'SE' },
    ],
    payment_product: {
      payment_profile_id: PROFILE_ID,
      payment_accounts: [
        {
          ...emptyPaymentAccount(),
          payment_account_reference: 'NW-0001-PA',
          payment_acquiring_account_id: ACQUIRING_ID,
          partner_business_entity_reference: 'NW-0001-LE',
          default_merchant_category_code: '5941',
          default_store_group_reference: 'NW-0001-SG',
        },
      ],
    },
    brands: [{ ...emptyBrand(), brand_reference: 'NW-0001-BR', display_name: 'Fjällbacka', logo_url: 'https://cdn.fjallbacka.example/logo.png' }],
    store_groups: [
      {
        ...emptyStoreGroup(),
        store_group_reference: 'NW-0001-SG',
        brand_reference: 'NW-0001-BR',
        support_email: 'help@fjallbacka.example',
        stores: [{ ...emptyStore(), store_reference: 'NW-0001-ST', type: 'WEBSITE', url: 'https://fjallbacka.example' }],
      },
    ],
  };
}

