// Public entry of the credentials feature: a partner's Klarna credentials (the partner page's tab)
// and the acquirer-wide inventory.
export { PartnerCredentials } from './components/PartnerCredentials';
export { CredentialsPage } from './components/CredentialsPage';
