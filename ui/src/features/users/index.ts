// Public entry of the users feature: users, roles and invitations of a tenant.
export { UsersPage } from './components/UsersPage';
