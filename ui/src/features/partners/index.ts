// Public entry of the partners feature. Other code imports only from here.
export { PartnersPage } from './components/PartnersPage';
export { PartnerOverviewPage } from './components/PartnerOverviewPage';
export { PartnerPage } from './components/PartnerPage';
export { OnboardingBoardPage } from './components/OnboardingBoardPage';
export { partnerChoicesQuery, partnerQuery } from './api/partners';
