/** The sections in the main navigation, top to bottom. Routes and the nav both read this. */
export interface NavItem {
  label: string;
  path: string;
  description: string;
  /** The action needed in the selected tenant to see the section; none = everyone. */
  action?: string;
  /** Only in a tenant of this kind (the acquirer lists partners; a partner has its own overview). */
  kind?: TenantKind;
}

export type TenantKind = 'acquirer' | 'partner';

export const navItems: readonly NavItem[] = [
  { label: 'Home', path: '/home', description: 'What needs you today' },
  { label: 'Overview', path: '/overview', description: 'Your store’s Klarna account', action: 'partner:read', kind: 'partner' },
  { label: 'Partners', path: '/partners', description: 'Merchants you distribute Klarna to', action: 'partner:read', kind: 'acquirer' },
  { label: 'Onboarding', path: '/onboarding', description: 'Onboard partners to Klarna, one by one or in bulk', action: 'partner:onboard', kind: 'acquirer' },
  { label: 'Disputes', path: '/disputes', description: 'Customer disputes and their deadlines', action: 'dispute:read' },
  { label: 'Payments', path: '/payments', description: 'Every payment and what happened to it', action: 'payment:read' },
  { label: 'Settlements', path: '/settlements', description: 'Payouts and reconciliation', action: 'settlement:read' },
  { label: 'Credentials', path: '/credentials', description: 'Every partner’s Klarna API keys and client identifiers', action: 'credential:read', kind: 'acquirer' },
  { label: 'Webhooks', path: '/webhooks', description: 'Events received from Klarna', action: 'webhook:read' },
  { label: 'Klarna calls', path: '/klarna-calls', description: 'Every call Partner Desk made to Klarna', action: 'klarna:log:read' },
  { label: 'Audit', path: '/audit', description: 'Who changed what, and when', action: 'audit:read' },
  { label: 'Users & roles', path: '/settings/users', description: 'Who may do what here', action: 'user:read' },
  { label: 'API tokens', path: '/settings/tokens', description: 'Your tokens for scripts', action: 'token:manage' },
  { label: 'Settings', path: '/settings', description: 'Roles and configuration' },
];

/** The items a user sees in a tenant of `kind`: those of that kind whose action `can` allows. */
export function visibleNavItems(can: (action: string) => boolean, kind: TenantKind): NavItem[] {
  return navItems.filter((item) => (!item.kind || item.kind === kind) && (!item.action || can(item.action)));
}

/** Where everyone starts: Home, which shows what the user's roles work on in the selected tenant. */
export const START_PATH = '/home';

/** The item a path belongs to: the longest path that is it or a parent of it. */
export function activeNavItem(items: readonly NavItem[], pathname: string): NavItem | undefined {
  return items
    .filter((item) => pathname === item.path || pathname.startsWith(`${item.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
}
