/** The sections in the main navigation, top to bottom. Routes and the nav both read this. */
export interface NavItem {
  label: string;
  path: string;
  description: string;
}

export const navItems: readonly NavItem[] = [
  { label: 'Partners', path: '/partners', description: 'Merchants you distribute Klarna to' },
  { label: 'Disputes', path: '/disputes', description: 'Customer disputes and their deadlines' },
  { label: 'Settlements', path: '/settlements', description: 'Payouts and reconciliation' },
  { label: 'Webhooks', path: '/webhooks', description: 'Events received from Klarna' },
  { label: 'Audit', path: '/audit', description: 'Who changed what, and when' },
  { label: 'Settings', path: '/settings', description: 'Users, roles and configuration' },
];
