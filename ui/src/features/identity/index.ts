// Public entry of the identity feature: who is logged in, their tenants and
// permitted actions, the login screen, the user menu and the tenant switcher.
export { meQuery, rolesQuery, rolesFitting, useRoles, tenantLookupQuery, tenantSearchQuery, type Me, type MeTenant, type Role, type TenantSummary } from './api/identity';
export { TenantProvider, forgetTenantChoice, useTenant, type TenantContextValue } from './tenant';
export { SessionGate, loginScreenPath } from './components/SessionGate';
export { LoginPage, readableLoginError } from './components/LoginPage';
export { RequireAction } from './components/RequireAction';
export { TenantSwitcher } from './components/TenantSwitcher';
export { TenantSelect } from './components/TenantSelect';
export { UserMenu } from './components/UserMenu';
