// Public entry of the settlements feature. Other code imports only from here.
export { SettlementsPage } from './components/SettlementsPage';
