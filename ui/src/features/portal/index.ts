// Public entry of the Klarna Portal feature. Other code imports only from here.
export { OpenPortalButton } from './components/OpenPortalButton';
export { PortalChoosePage } from './components/PortalChoosePage';
