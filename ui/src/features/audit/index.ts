// Public entry of the audit feature. Other code imports only from here.
export { AuditPage } from './components/AuditPage';
