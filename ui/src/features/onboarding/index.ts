// Public entry of the onboarding feature. Other code imports only from here.
export { DraftsPage } from './components/DraftsPage';
export { NewOnboardingPage } from './components/NewOnboardingPage';
export { DraftPage } from './components/DraftPage';
export { BulkPage } from './components/BulkPage';
export { BulkRunPage } from './components/BulkRunPage';
