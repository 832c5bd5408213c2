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
    'partner:read', 'partner:onboard', 'partner:manage', 'brand:manage', 'product:manage', 'credential:read', 'credential:manage', 'dispute:read', 'dispute:respond',
    'payment:read', 'settlement:read', 'settlement:export', 'webhook:read', 'webhook:replay', 'webhook:manage', 'portal:open', 'audit:read',
    'audit:export', 'user:read', 'user:manage', 'token:manage', 'klarna:log:read',
  ],
  'acquirer-support': ['partner:read', 'credential:read', 'dispute:read', 'dispute:respond', 'payment:read', 'settlement:read', 'webhook:read', 'portal:open', 'user:read', 'token:manage'],
  'acquirer-finance': ['partner:read', 'dispute:read', 'payment:read', 'settlement:read', 'settlement:export', 'token:manage'],
  auditor: ['partner:read', 'credential:read', 'dispute:read', 'payment:read', 'settlement:read', 'settlement:export', 'webhook:read', 'audit:read', 'audit:export', 'user:read'],
  'merchant-admin': [
    'partner:read', 'partner:manage', 'brand:manage', 'credential:read', 'credential:manage', 'dispute:read', 'dispute:respond', 'payment:read',
    'settlement:read', 'settlement:export', 'portal:open', 'audit:read', 'user:read', 'user:manage', 'token:manage', 'klarna:log:read',
  ],
  'merchant-disputes': ['partner:read', 'dispute:read', 'dispute:respond', 'payment:read', 'token:manage'],
  'merchant-finance': ['partner:read', 'payment:read', 'settlement:read', 'settlement:export', 'token:manage'],
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

// ---- the partner directory (issue 9) ----

type PartnerSummary = Schemas['PartnerSummary'];

export function partnerSummary(over: Partial<PartnerSummary> & Pick<PartnerSummary, 'tenant_id' | 'tenant_slug' | 'name'>): PartnerSummary {
  return {
    reference: `ref-${over.tenant_slug}`,
    klarna_account_id: `krn:partner:global:account:live:${over.tenant_slug}`,
    state: 'OPERATIONAL',
    product_status: 'ENABLED',
    onboarding_stage: 'operational',
    stuck: false,
    entity_count: 1,
    brand_count: 1,
    store_count: 2,
    payment_account_count: 1,
    warnings: [],
    created_at: '2026-11-01T09:00:00Z',
    updated_at: '2026-11-20T12:00:00Z',
    synced_at: '2026-11-20T12:00:00Z',
    sync_error: '',
    partially_operational_at: '2026-11-01T09:01:00Z',
    operational_at: '2026-11-01T09:02:00Z',
    ...over,
  };
}

export const partners = {
  aurora: partnerSummary({
    tenant_id: AURORA_ID,
    tenant_slug: 'aurora',
    name: 'Aurora Outfitters',
    warnings: ['partner.account.brand.data-incomplete'],
  }),
  borealis: partnerSummary({
    tenant_id: BOREALIS_ID,
    tenant_slug: 'borealis',
    name: 'Borealis Bikes',
    state: 'PARTIALLY_OPERATIONAL',
    product_status: '',
    onboarding_stage: 'partially_operational',
    stuck: true,
    entity_count: 1,
    brand_count: 0,
    store_count: 0,
    payment_account_count: 0,
    operational_at: null,
  }),
};

/** A partner's page as GET /tenants/{tenant}/partner answers: one entity, one payment account, one brand, group and store. */
export function partnerDetail(summary: PartnerSummary): Schemas['PartnerDetail'] {
  const slug = summary.tenant_slug;
  const id = (kind: string) => `krn:partner:global:${kind}:live:${slug}-1`;
  return {
    summary,
    contact: { given_name: 'Ann', family_name: 'Owner', email: `owner@${slug}.test`, phone: '+46701234567' },
    business_entities: [{ id: id('business-entity'), reference: `${slug}-entity-1`, legal_name: `${summary.name} AB`, country: 'SE', merchant_category_codes: ['5651'] }],
    payment_product: {
      id: id('payment-product'),
      profile_id: 'profile-standard',
      status: summary.product_status || 'ENABLED',
      payment_accounts: [
        {
          id: id('payment-account'),
          reference: `${slug}-pa-1`,
          merchant_category_code: '5651',
          acquiring_account_id: 'acq-northwind-se',
          business_entity_id: id('business-entity'),
          business_entity_reference: `${slug}-entity-1`,
          default_store_group_id: id('store-group'),
          default_store_group_reference: `${slug}-group-1`,
          status: 'ENABLED',
        },
      ],
    },
    brands: [
      {
        id: id('brand'),
        reference: `${slug}-brand-1`,
        display_name: `${summary.name} brand`,
        logo_url: '',
        icon_url: '',
        feature_image_url: '',
        store_groups: [
          {
            id: id('store-group'),
            reference: `${slug}-group-1`,
            brand_id: id('brand'),
            brand_reference: `${slug}-brand-1`,
            support_contact: { email: `help@${slug}.test`, phone: '', contact_form: '' },
            social_media_links: [],
            stores: [{ id: id('store'), reference: `${slug}-web`, type: 'WEBSITE', url: `https://${slug}.example` }],
          },
        ],
      },
    ],
    unassigned_store_groups: [],
  };
}
