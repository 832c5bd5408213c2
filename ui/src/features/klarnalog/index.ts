// Public entry of the Klarna call log feature. Other code imports only from here.
export { KlarnaCallsPage } from './components/KlarnaCallsPage';
export { KlarnaCallsLink } from './components/KlarnaCallsLink';
