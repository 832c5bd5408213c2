// Public entry of the settlements feature. Other code imports only from here.
export { SettlementsPage } from './components/SettlementsPage';
export { PayoutPage } from './components/PayoutPage';
export { TransactionsPage } from './components/TransactionsPage';
