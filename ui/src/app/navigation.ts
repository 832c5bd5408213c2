/** The sections in the main navigation, top to bottom. Routes and the nav both read this. */
export interface NavItem {
  label: string;
  path: string;
  description: string;
  /** The action needed in the selected tenant to see the section; none = everyone. */
  action?: string;
}

export const navItems: readonly NavItem[] = [
  { label: 'Partners', path: '/partners', description: 'Merchants you distribute Klarna to', action: 'partner:read' },
  { label: 'Disputes', path: '/disputes', description: 'Customer disputes and their deadlines', action: 'dispute:read' },
  { label: 'Settlements', path: '/settlements', description: 'Payouts and reconciliation', action: 'settlement:read' },
  { label: 'Webhooks', path: '/webhooks', description: 'Events received from Klarna', action: 'webhook:read' },
  { label: 'Audit', path: '/audit', description: 'Who changed what, and when', action: 'audit:read' },
  { label: 'Users & roles', path: '/settings/users', description: 'Who may do what here', action: 'user:read' },
  { label: 'API tokens', path: '/settings/tokens', description: 'Your tokens for scripts', action: 'token:manage' },
  { label: 'Settings', path: '/settings', description: 'Roles and configuration' },
];

/** The items a user sees: those whose action `can` allows. */
export function visibleNavItems(can: (action: string) => boolean): NavItem[] {
  return navItems.filter((item) => !item.action || can(item.action));
}

/** The item a path belongs to: the longest path that is it or a parent of it. */
export function activeNavItem(items: readonly NavItem[], pathname: string): NavItem | undefined {
  return items
    .filter((item) => pathname === item.path || pathname.startsWith(`${item.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
}
