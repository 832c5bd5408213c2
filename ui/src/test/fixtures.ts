// Test data shaped like the API's answers, written for these tests.
import type { Schemas } from '@/lib/api';

type Me = Schemas['Me'];
type MeTenant = Schemas['MeTenant'];
type Role = Schemas['Role'];

export const ACQUIRER_ID = '00000000-0000-4000-8000-00000000a001';
export const AURORA_ID = '00000000-0000-4000-8000-00000000b001';
export const BOREALIS_ID = '00000000-0000-4000-8000-00000000b002';

const ACTIONS = {
  'acquirer-admin': [
    'partner:read', 'partner:onboard', 'partner:update', 'credential:read', 'credential:manage', 'dispute:read', 'dispute:respond',
    'settlement:read', 'settlement:export', 'webhook:read', 'webhook:replay', 'webhook:manage', 'portal:open', 'audit:read',
    'audit:export', 'user:read', 'user:manage', 'token:manage',
  ],
  'acquirer-support': ['partner:read', 'credential:read', 'dispute:read', 'dispute:respond', 'settlement:read', 'webhook:read', 'portal:open', 'user:read', 'token:manage'],
  'acquirer-finance': ['partner:read', 'dispute:read', 'settlement:read', 'settlement:export', 'token:manage'],
  auditor: ['partner:read', 'credential:read', 'dispute:read', 'settlement:read', 'settlement:export', 'webhook:read', 'audit:read', 'audit:export', 'user:read'],
  'merchant-admin': [
    'partner:read', 'partner:update', 'credential:read', 'credential:manage', 'dispute:read', 'dispute:respond', 'settlement:read',
    'settlement:export', 'portal:open', 'audit:read', 'user:read', 'user:manage', 'token:manage',
  ],
  'merchant-disputes': ['partner:read', 'dispute:read', 'dispute:respond', 'token:manage'],
  'merchant-finance': ['partner:read', 'settlement:read', 'settlement:export', 'token:manage'],
} satisfies Record<string, string[]>;

type RoleName = keyof typeof ACTIONS;

export const roles: { roles: Role[]; actions: string[] } = {
  roles: [
    { name: 'acquirer-admin', scope: 'acquirer', actions: ACTIONS['acquirer-admin'] },
    { name: 'acquirer-support', scope: 'acquirer', actions: ACTIONS['acquirer-support'] },
    { name: 'acquirer-finance', scope: 'acquirer', actions: ACTIONS['acquirer-finance'] },
    { name: 'auditor', scope: 'acquirer', actions: ACTIONS.auditor },
    { name: 'merchant-admin', scope: 'partner', actions: ACTIONS['merchant-admin'] },
    { name: 'merchant-disputes', scope: 'partner', actions: ACTIONS['merchant-disputes'] },
    { name: 'merchant-finance', scope: 'partner', actions: ACTIONS['merchant-finance'] },
  ],
  actions: [...new Set(Object.values(ACTIONS).flat())].sort(),
};

function tenant(id: string, kind: MeTenant['kind'], slug: string, name: string, role: RoleName, allPartners = false): MeTenant {
  return { id, kind, slug, name, roles: [role], actions: ACTIONS[role], all_partners: allPartners };
}

/** Every tenant of the test installation, as GET /tenants lists them (acquirer first, then by name). */
export const directory: Schemas['TenantSummary'][] = [
  { id: ACQUIRER_ID, kind: 'acquirer', slug: 'acquirer', name: 'Northwind Payments' },
  { id: AURORA_ID, kind: 'partner', slug: 'aurora', name: 'Aurora Outfitters' },
  { id: BOREALIS_ID, kind: 'partner', slug: 'borealis', name: 'Borealis Bikes' },
];

function me(user: { email: string; name: string }, tenants: MeTenant[]): Me {
  return {
    user: { id: `user-${user.email}`, ...user },
    tenants,
    csrf_token: 'csrf-from-me',
    auth_time: '2026-11-21T10:00:00Z',
    step_up_max_age_seconds: 300,
    via_token: false,
  };
}

/** An acquirer role: held on the acquirer, reaching every partner (found at GET /tenants, not listed in /me). */
function acquirerPersona(role: RoleName, email: string, name: string): Me {
  return me({ email, name }, [tenant(ACQUIRER_ID, 'acquirer', 'acquirer', 'Northwind Payments', role, true)]);
}

export const personas = {
  acquirerAdmin: acquirerPersona('acquirer-admin', 'ada@acquirer.test', 'Ada Admin'),
  acquirerFinance: acquirerPersona('acquirer-finance', 'finn@acquirer.test', 'Finn Finance'),
  auditor: acquirerPersona('auditor', 'audrey@acquirer.test', 'Audrey Auditor'),
  merchantAdmin: me({ email: 'mia@aurora.test', name: 'Mia Merchant' }, [tenant(AURORA_ID, 'partner', 'aurora', 'Aurora Outfitters', 'merchant-admin')]),
  merchantDisputes: me({ email: 'dan@aurora.test', name: 'Dan Disputes' }, [tenant(AURORA_ID, 'partner', 'aurora', 'Aurora Outfitters', 'merchant-disputes')]),
  acquirerSupport: acquirerPersona('acquirer-support', 'sam@acquirer.test', 'Sam Support'),
  merchantFinance: me({ email: 'fay@aurora.test', name: 'Fay Finance' }, [tenant(AURORA_ID, 'partner', 'aurora', 'Aurora Outfitters', 'merchant-finance')]),
} satisfies Record<string, Me>;

export function tenantUsers(tenantName: string): Schemas['TenantUsers'] {
  const slug = (tenantName.split(' ')[0] ?? tenantName).toLowerCase();
  return {
    users: [
      {
        id: `u-${slug}-1`,
        email: `owner@${slug}.test`,
        name: `${tenantName} Owner`,
        disabled: false,
        last_login_at: '2026-11-20T09:30:00Z',
        roles: [{ role: slug === 'northwind' ? 'acquirer-admin' : 'merchant-admin', source: 'seed', granted_at: '2026-11-01T00:00:00Z' }],
      },
    ],
    invitations: [],
  };
}
