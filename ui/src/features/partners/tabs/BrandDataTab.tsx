import { Alert, Group, Image, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { useTenant } from '@/features/identity';
import { NETWORKS, Repeat, SelectField, STORE_TYPES, TextField, brandSchema, storeGroupSchema, storeSchema, useWizardFields } from '@/features/onboarding';
import { changesQuery, latestByResource, type PartnerChange } from '../api/changes';
import { lockedFields, partnerDataQuery, useRefreshOnApplied, type PartnerData } from '../api/partnerData';
import { warningLabel, type PartnerDetail, type StoreGroupNode } from '../api/partners';
import { DataForm, ImageUrlField, PendingCreates, ResourceCard, Toggle, sentFields, startValues } from './dataForm';

type Brand = PartnerDetail['brands'][number];
type Store = StoreGroupNode['stores'][number];

interface BrandValues extends Record<string, unknown> {
  brand_reference: string;
  display_name: string;
  logo_url: string;
  icon_url: string;
  feature_image_url: string;
}
interface StoreGroupValues extends Record<string, unknown> {
  store_group_reference: string;
  brand_reference: string;
  support_email: string;
  support_phone: string;
  support_contact_form: string;
  social_media_links: { provider: string; url: string }[];
}
interface StoreValues extends Record<string, unknown> {
  store_reference: string;
  type: string;
  url: string;
}

const t = (v: string) => v.trim();

const brandValues = (b?: Brand): BrandValues => ({
  brand_reference: b?.reference ?? '',
  display_name: b?.display_name ?? '',
  logo_url: b?.logo_url ?? '',
  icon_url: b?.icon_url ?? '',
  feature_image_url: b?.feature_image_url ?? '',
});

const groupValues = (g: StoreGroupNode | undefined, brandRef: string): StoreGroupValues => ({
  store_group_reference: g?.reference ?? '',
  brand_reference: g?.brand_reference || brandRef,
  support_email: g?.support_contact.email ?? '',
  support_phone: g?.support_contact.phone ?? '',
  support_contact_form: g?.support_contact.contact_form ?? '',
  social_media_links: (g?.social_media_links ?? []).map((l) => ({ provider: l.provider, url: l.url })),
});

const storeValues = (s?: Store): StoreValues => ({ store_reference: s?.reference ?? '', type: s?.type ?? 'WEBSITE', url: s?.url ?? '' });

interface Ctx {
  tenantId: string;
  canEdit: boolean;
  data: PartnerData | undefined;
  latest: Map<string, PartnerChange>;
  brandRefs: string[];
}

function BrandFields({ tenantId, isNew }: { tenantId: string; isNew: boolean }) {
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextField path="brand_reference" label="Brand reference" required={isNew} description={isNew ? 'Your key for this brand; kept for good' : undefined} />
        <TextField path="display_name" label="Display name" required description="The name shoppers see" />
      </SimpleGrid>
      <ImageUrlField path="logo_url" label="Logo URL" tenantId={tenantId} />
      <ImageUrlField path="icon_url" label="Icon URL" tenantId={tenantId} />
      <ImageUrlField path="feature_image_url" label="Feature image URL" tenantId={tenantId} />
    </>
  );
}

function brandSave(id: string | undefined) {
  return (v: BrandValues) => ({
    kind: 'brand' as const,
    id,
    body: { brand_reference: t(v.brand_reference), display_name: t(v.display_name), logo_url: t(v.logo_url), icon_url: t(v.icon_url), feature_image_url: t(v.feature_image_url) },
  });
}

function GroupFields({ brandRefs, isNew }: { brandRefs: string[]; isNew: boolean }) {
  const { form } = useWizardFields();
  const links = (form.getValues() as unknown as StoreGroupValues).social_media_links;
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextField path="store_group_reference" label="Store group reference" required={isNew} />
        <SelectField path="brand_reference" label="Brand" data={brandRefs.map((r) => ({ value: r, label: r }))} required />
        <TextField path="support_email" label="Support e-mail" type="email" />
        <TextField path="support_phone" label="Support phone" type="tel" placeholder="+46701234567" description="International form (E.164)" />
        <TextField path="support_contact_form" label="Contact form URL" type="url" placeholder="https://…" />
      </SimpleGrid>
      <Repeat path="social_media_links" items={links} noun="social media link" empty={() => ({ provider: '', url: '' })} title={(l, i) => l.provider || `Link ${i + 1}`} level={5}>
        {(p) => (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <SelectField path={`${p}.provider`} label="Network" data={NETWORKS.map((n) => ({ value: n, label: n }))} required />
            <TextField path={`${p}.url`} label="Address" type="url" required />
          </SimpleGrid>
        )}
      </Repeat>
    </>
  );
}

function groupSave(id: string | undefined) {
  return (v: StoreGroupValues) => ({
    kind: 'store_group' as const,
    id,
    body: {
      store_group_reference: t(v.store_group_reference),
      brand_reference: t(v.brand_reference),
      support_email: t(v.support_email),
      support_phone: t(v.support_phone),
      support_contact_form: t(v.support_contact_form),
      social_media_links: v.social_media_links.map((l) => ({ provider: l.provider, url: t(l.url) })),
    },
  });
}

function StoreFields({ isNew }: { isNew: boolean }) {
  const { form } = useWizardFields();
  // A type Klarna refused (or one the wizard does not offer) stays visible, to be replaced.
  const type = String((form.getValues() as unknown as StoreValues).type ?? '');
  const types = type && !STORE_TYPES.some((s) => s.value === type) ? [...STORE_TYPES, { value: type, label: type }] : STORE_TYPES;
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }}>
      <TextField path="store_reference" label="Store reference" required={isNew} />
      <SelectField path="type" label="Type" data={types} required />
      <TextField path="url" label="URL" type="url" placeholder="https://…" />
    </SimpleGrid>
  );
}

function storeSave(id: string | undefined, groupId: string) {
  return (v: StoreValues) => ({ kind: 'store' as const, id, body: { store_reference: t(v.store_reference), store_group_id: groupId, type: v.type, url: t(v.url) } });
}

function StoreRow({ ctx, store, groupId }: { ctx: Ctx; store: Store; groupId: string }) {
  const change = ctx.latest.get(`store/${store.id}`);
  return (
    <ResourceCard kind="Store" title={store.url || store.reference} klarnaId={store.id} reference={store.reference} tenantId={ctx.tenantId} change={change} level={5}>
      <Text size="sm">
        {store.type} · {store.url || '—'}
      </Text>
      <Toggle canEdit={ctx.canEdit} label="Edit store" open={change?.status === 'failed'}>
        {(close) => (
          <DataForm
            key={JSON.stringify(store)}
            label={`Store ${store.reference}`}
            schema={storeSchema}
            initial={startValues(storeValues(store), change, sentFields)}
            locked={lockedFields(ctx.data, 'store')}
            failed={change}
            canEdit={ctx.canEdit}
            tenantId={ctx.tenantId}
            toSave={storeSave(store.id, groupId)}
            onDone={close}
          >
            <StoreFields isNew={false} />
          </DataForm>
        )}
      </Toggle>
    </ResourceCard>
  );
}

function GroupCard({ ctx, group, brandRef }: { ctx: Ctx; group: StoreGroupNode; brandRef: string }) {
  const change = ctx.latest.get(`store_group/${group.id}`);
  const sc = group.support_contact;
  return (
    <ResourceCard kind="Store group" title={group.reference} klarnaId={group.id} reference={group.reference} tenantId={ctx.tenantId} change={change} level={4}>
      <Text size="sm" c="dimmed">
        Support: {[sc.email, sc.phone, sc.contact_form].filter(Boolean).join(' · ') || '—'}
        {group.social_media_links.length > 0 && ` · ${group.social_media_links.map((l) => l.provider).join(', ')}`}
      </Text>
      <Toggle canEdit={ctx.canEdit} label="Edit store group" open={change?.status === 'failed'}>
        {(close) => (
          <DataForm
            key={JSON.stringify(group)}
            label={`Store group ${group.reference}`}
            schema={storeGroupSchema}
            initial={groupValues(group, brandRef)}
            locked={lockedFields(ctx.data, 'store_group')}
            failed={change}
            canEdit={ctx.canEdit}
            tenantId={ctx.tenantId}
            toSave={groupSave(group.id)}
            onDone={close}
          >
            <GroupFields brandRefs={ctx.brandRefs} isNew={false} />
          </DataForm>
        )}
      </Toggle>
      {group.stores.map((s) => (
        <StoreRow key={s.id} ctx={ctx} store={s} groupId={group.id} />
      ))}
      <Toggle canEdit={ctx.canEdit} label="Add store">
        {(close) => (
          <DataForm label={`New store in ${group.reference}`} schema={storeSchema} initial={storeValues()} locked={{}} canEdit tenantId={ctx.tenantId} toSave={storeSave(undefined, group.id)} onDone={close}>
            <StoreFields isNew />
          </DataForm>
        )}
      </Toggle>
    </ResourceCard>
  );
}

/** The brand's imagery as Klarna holds it. */
function BrandImages({ brand }: { brand: Brand }) {
  const images = [
    { label: 'Logo', url: brand.logo_url, w: 48 },
    { label: 'Icon', url: brand.icon_url, w: 32 },
    { label: 'Feature image', url: brand.feature_image_url, w: 144 },
  ].filter((i) => i.url);
  if (images.length === 0) return null;
  return (
    <Group gap="md" mt="xs">
      {images.map((i) => (
        <Image key={i.label} src={i.url} alt={`${i.label} of ${brand.display_name}`} h={48} w={i.w} fit="contain" radius="sm" />
      ))}
    </Group>
  );
}

function BrandCard({ ctx, brand }: { ctx: Ctx; brand: Brand }) {
  const change = ctx.latest.get(`brand/${brand.id}`);
  const warnings = (ctx.data?.brand_warnings ?? []).filter((w) => w.brand_id === brand.id);
  return (
    <ResourceCard
      kind="Brand"
      title={brand.display_name || brand.reference}
      klarnaId={brand.id}
      reference={brand.reference}
      tenantId={ctx.tenantId}
      change={change}
      extra={[
        <BrandImages key="images" brand={brand} />,
        ...warnings.map((w) => (
        <Alert key={w.warning} color="yellow" variant="light" mt="xs" title={`Klarna: ${warningLabel(w.warning)}`}>
          Klarna could not use this brand’s data{w.value ? ` (it could not fetch ${w.value})` : ''}. Correct the image addresses and save; the warning goes once Klarna has
          read the new ones.
        </Alert>
        )),
      ]}
    >
      <Toggle canEdit={ctx.canEdit} label="Edit brand" open={change?.status === 'failed'}>
        {(close) => (
          <DataForm
            key={JSON.stringify(brand)}
            label={`Brand ${brand.reference}`}
            schema={brandSchema}
            initial={startValues(brandValues(brand), change, sentFields)}
            locked={lockedFields(ctx.data, 'brand')}
            failed={change}
            canEdit={ctx.canEdit}
            tenantId={ctx.tenantId}
            toSave={brandSave(brand.id)}
            onDone={close}
          >
            <BrandFields tenantId={ctx.tenantId} isNew={false} />
          </DataForm>
        )}
      </Toggle>
      {brand.store_groups.map((g) => (
        <GroupCard key={g.id} ctx={ctx} group={g} brandRef={brand.reference} />
      ))}
      <Toggle canEdit={ctx.canEdit} label="Add store group">
        {(close) => (
          <DataForm
            label={`New store group of ${brand.reference}`}
            schema={storeGroupSchema}
            initial={groupValues(undefined, brand.reference)}
            locked={{}}
            canEdit
            tenantId={ctx.tenantId}
            toSave={groupSave(undefined)}
            onDone={close}
          >
            <GroupFields brandRefs={ctx.brandRefs} isNew />
          </DataForm>
        )}
      </Toggle>
    </ResourceCard>
  );
}

const CREATED_KINDS = new Set(['brand', 'store_group', 'store']);

/** The partner page's "Brand data" tab: brands, store groups and stores, edited and created one at a time, each pushed to Klarna at once. */
export function BrandDataTab({ detail }: { detail: PartnerDetail }) {
  const tenantId = detail.summary.tenant_id;
  const { can } = useTenant();
  const canEdit = can('brand:manage');
  const data = useQuery(partnerDataQuery(tenantId));
  const changes = useQuery(changesQuery(tenantId));
  useRefreshOnApplied(tenantId, changes.data?.items);
  if (!detail.summary.klarna_account_id) {
    return <EmptyState title="No Klarna account yet">The brand data can be changed once the partner’s Klarna account exists.</EmptyState>;
  }
  if (data.error) return <ErrorPanel error={data.error} onRetry={() => void data.refetch()} />;
  const items = changes.data?.items ?? [];
  const ctx: Ctx = { tenantId, canEdit, data: data.data, latest: latestByResource(items), brandRefs: detail.brands.map((b) => b.reference) };
  const known = new Set<string>();
  for (const b of detail.brands) {
    known.add(b.id);
    for (const g of b.store_groups) {
      known.add(g.id);
      g.stores.forEach((s) => known.add(s.id));
    }
  }
  return (
    <Stack>
      {detail.brands.length === 0 && <Text c="dimmed">Klarna holds no brand for this partner yet.</Text>}
      {detail.brands.map((b) => (
        <BrandCard key={b.id} ctx={ctx} brand={b} />
      ))}
      {detail.unassigned_store_groups.map((g) => (
        <GroupCard key={g.id} ctx={ctx} group={g} brandRef="" />
      ))}
      <PendingCreates tenantId={tenantId} changes={items} kinds={CREATED_KINDS} known={known} />
      <Toggle canEdit={canEdit} label="Add brand">
        {(close) => (
          <Stack>
            <DataForm label="New brand" schema={brandSchema} initial={brandValues()} locked={{}} canEdit tenantId={tenantId} toSave={brandSave(undefined)} onDone={close}>
              <BrandFields tenantId={tenantId} isNew />
            </DataForm>
          </Stack>
        )}
      </Toggle>
    </Stack>
  );
}
