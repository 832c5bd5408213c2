// Public entry of the identity feature: who is logged in, their tenants and
// permitted actions, the login screen, the user menu and the tenant switcher.
export { meQuery, rolesQuery, rolesFitting, useRoles, type Me, type MeTenant, type Role } from './api/identity';
export { TenantProvider, useTenant, type TenantContextValue } from './tenant';
export { SessionGate, loginScreenPath } from './components/SessionGate';
export { LoginPage, readableLoginError } from './components/LoginPage';
export { RequireAction } from './components/RequireAction';
export { TenantSwitcher } from './components/TenantSwitcher';
export { UserMenu } from './components/UserMenu';
