// Public entry of the disputes feature. Other code imports only from here.
export { DisputesPage } from './components/DisputesPage';
export { DisputePage } from './components/DisputePage';
export { AnalyticsPage as DisputeAnalyticsPage } from './components/AnalyticsPage';
