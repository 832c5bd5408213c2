// Public entry of the onboarding feature. Other code imports only from here.
export { DraftsPage } from './components/DraftsPage';
export { NewOnboardingPage } from './components/NewOnboardingPage';
export { DraftPage } from './components/DraftPage';
export { BulkPage } from './components/BulkPage';
export { BulkRunPage } from './components/BulkRunPage';
// The rules and fields of one resource, for editing it after onboarding (the partner page).
export { brandSchema, contactSchema, entitySchema, isWebUrl, storeGroupSchema, storeSchema } from './schema';
export { emptyEntity, entityFrom, fill, newPartnerValues, toPayload, type EntityValues } from './model';
export { AddressFields, Repeat, SelectField, TagsField, TextField, WizardFieldsProvider, useWizardFields, type WizardFields } from './components/fields';
export { EntityFields, NETWORKS, STORE_TYPES } from './components/steps';
