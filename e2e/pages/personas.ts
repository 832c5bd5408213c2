import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The development IdP's personas (internal/auth/oidctest/personas.go) and the role each holds. */
export const PERSONAS = {
  'acquirer-admin': { name: 'Ada Lindqvist', email: 'admin@acquirer.example', role: 'acquirer-admin' },
  'acquirer-support': { name: 'Sam Okafor', email: 'support@acquirer.example', role: 'acquirer-support' },
  'acquirer-finance': { name: 'Fatima Berg', email: 'finance@acquirer.example', role: 'acquirer-finance' },
  auditor: { name: 'Otto Reyes', email: 'auditor@acquirer.example', role: 'auditor' },
  'merchant-admin': { name: 'Maja Holm', email: 'admin@aurora.example', role: 'merchant-admin' },
  'merchant-disputes': { name: 'Diego Alvarez', email: 'disputes@aurora.example', role: 'merchant-disputes' },
  'merchant-finance': { name: 'Nina Park', email: 'finance@aurora.example', role: 'merchant-finance' },
  'merchant-admin-b': { name: 'Bo Eriksen', email: 'admin@borealis.example', role: 'merchant-admin' },
} as const;

export type PersonaId = keyof typeof PERSONAS;

/** Merchant roles work in one partner tenant; the others in the acquirer's. */
export function tenantKind(persona: PersonaId): 'acquirer' | 'partner' {
  return PERSONAS[persona].role.startsWith('merchant-') ? 'partner' : 'acquirer';
}

/** Navigation items, the action each needs (Settings: none) and the tenant kind that has it, in order. */
export const NAV = [
  { label: 'Home', path: '/home', action: undefined },
  { label: 'Overview', path: '/overview', action: 'partner:read', kind: 'partner' },
  { label: 'Partners', path: '/partners', action: 'partner:read', kind: 'acquirer' },
  { label: 'Onboarding', path: '/onboarding', action: 'partner:onboard', kind: 'acquirer' },
  { label: 'Disputes', path: '/disputes', action: 'dispute:read' },
  { label: 'Payments', path: '/payments', action: 'payment:read' },
  { label: 'Settlements', path: '/settlements', action: 'settlement:read' },
  { label: 'Credentials', path: '/credentials', action: 'credential:read', kind: 'acquirer' },
  { label: 'Webhooks', path: '/webhooks', action: 'webhook:read' },
  { label: 'Klarna calls', path: '/klarna-calls', action: 'klarna:log:read' },
  { label: 'Audit', path: '/audit', action: 'audit:read' },
  { label: 'Users & roles', path: '/settings/users', action: 'user:read' },
  { label: 'API tokens', path: '/settings/tokens', action: 'token:manage' },
  { label: 'Settings', path: '/settings', action: undefined },
] as const;

/** role → actions, read from the built-in policy file the server loads. */
export function policyActions(): Map<string, Set<string>> {
  const file = path.resolve(import.meta.dirname, '..', '..', 'policies', 'roles.v1.csv');
  const out = new Map<string, Set<string>>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cols = line.split(',').map((c) => c.trim());
    if (cols[0] !== 'p' || cols.length < 3) continue;
    const [, role, act] = cols as [string, string, string];
    if (!out.has(role)) out.set(role, new Set());
    out.get(role)!.add(act);
  }
  return out;
}

/** The navigation paths a persona should see, according to the policy file. */
export function expectedNav(persona: PersonaId): string[] {
  const actions = policyActions().get(PERSONAS[persona].role);
  if (!actions) throw new Error(`no role ${PERSONAS[persona].role} in policies/roles.v1.csv`);
  const kind = tenantKind(persona);
  return NAV.filter((n) => (!('kind' in n) || n.kind === kind) && (!n.action || actions.has(n.action))).map((n) => n.path);
}

/** Where everyone starts: Home (ui/src/app/navigation.ts, START_PATH). */
export const START = '/home';
