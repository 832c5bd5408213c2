// Public entry of the payments feature. Other code imports only from here.
export { PaymentsPage } from './components/PaymentsPage';
export { PaymentPage } from './components/PaymentPage';
export { PaymentHealthPage } from './components/PaymentHealthPage';
