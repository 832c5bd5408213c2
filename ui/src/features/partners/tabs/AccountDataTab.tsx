import { SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { useTenant } from '@/features/identity';
import { EntityFields, TextField, contactSchema, emptyEntity, entityFrom, entitySchema, newPartnerValues, toPayload, useWizardFields, type EntityValues } from '@/features/onboarding';
import type { Schemas } from '@/lib/api';
import { changesQuery, latestByResource } from '../api/changes';
import { lockedFields, partnerDataQuery, useRefreshOnApplied, type DataSave } from '../api/partnerData';
import type { PartnerDetail } from '../api/partners';
import { DataForm, PendingCreates, ResourceCard, Toggle, sentFields, startValues } from './dataForm';

type EntityNode = PartnerDetail['business_entities'][number];

interface ContactValues extends Record<string, unknown> {
  given_name: string;
  family_name: string;
  email: string;
  phone: string;
}

/** The entity form's values: the entity under `entity`, so its field paths are the body's with that prefix. */
interface EntityForm extends Record<string, unknown> {
  entity: EntityValues;
}

const entityFormSchema = z.object({ entity: entitySchema });

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** An entity as the tree holds it (Klarna's shape) as the form's values. */
export function entityValues(n: EntityNode): EntityValues {
  const sd = obj(n.supplementary_data);
  return entityFrom({
    ...sd,
    partner_business_entity_reference: n.reference,
    legal_registered_entity_name: n.legal_name,
    legal_registration_country: n.country,
    enabled_merchant_category_codes: n.merchant_category_codes,
    bank_accounts: obj(sd.partner_payouts_state).bank_accounts,
  });
}

/** The entity's body as the API takes it: empty parts left out (the onboarding document's rules). */
function entitySave(id: string | undefined) {
  return (v: EntityForm): DataSave => {
    const doc = toPayload({ ...newPartnerValues(), partner_business_entities: [v.entity] }) as { partner_business_entities: Schemas['PartnerBusinessEntityEdit'][] };
    const body = doc.partner_business_entities[0] ?? { legal_registered_entity_name: '' };
    return { kind: 'business_entity', id, body: { ...body, legal_registered_entity_name: body.legal_registered_entity_name ?? '' } };
  };
}

function EntityEditFields() {
  const { form } = useWizardFields();
  const e = (form.getValues() as unknown as EntityForm).entity;
  return <EntityFields p="entity" e={e} />;
}

function ContactFields() {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <TextField path="given_name" label="Given name" />
      <TextField path="family_name" label="Family name" />
      <TextField path="email" label="E-mail" type="email" required />
      <TextField path="phone" label="Phone" type="tel" placeholder="+46701234567" description="International form (E.164)" />
    </SimpleGrid>
  );
}

const trim = (v: ContactValues): DataSave => ({ kind: 'account', body: { given_name: v.given_name.trim(), family_name: v.family_name.trim(), email: v.email.trim(), phone: v.phone.trim() } });

/** The partner page's "Account & business" tab: the account contact and the business entities, each change pushed to Klarna at once. */
export function AccountDataTab({ detail }: { detail: PartnerDetail }) {
  const tenantId = detail.summary.tenant_id;
  const { can } = useTenant();
  const canEdit = can('partner:manage');
  const data = useQuery(partnerDataQuery(tenantId));
  const changes = useQuery(changesQuery(tenantId));
  useRefreshOnApplied(tenantId, changes.data?.items);
  if (!detail.summary.klarna_account_id) {
    return <EmptyState title="No Klarna account yet">The account and business data can be changed once the partner’s Klarna account exists.</EmptyState>;
  }
  if (data.error) return <ErrorPanel error={data.error} onRetry={() => void data.refetch()} />;
  const items = changes.data?.items ?? [];
  const latest = latestByResource(items);
  const accountId = detail.summary.klarna_account_id;
  const contactChange = latest.get(`account/${accountId}`);
  const c = detail.contact;
  const entityLocks = Object.fromEntries(Object.entries(lockedFields(data.data, 'business_entity')).map(([f, r]) => [`entity.${f}`, r]));
  return (
    <Stack>
      <ResourceCard kind="Account" title={detail.summary.name} klarnaId={accountId} reference={detail.summary.reference} tenantId={tenantId} change={contactChange}>
        <Text size="sm">
          Contact: {[`${c.given_name} ${c.family_name}`.trim(), c.email, c.phone].filter(Boolean).join(' · ') || '—'}
        </Text>
        <Toggle canEdit={canEdit} label="Edit contact" open={contactChange?.status === 'failed'}>
          {(close) => (
            <DataForm
              key={JSON.stringify(c)}
              label="Account contact"
              schema={contactSchema}
              initial={startValues({ given_name: c.given_name, family_name: c.family_name, email: c.email, phone: c.phone } as ContactValues, contactChange, sentFields)}
              locked={{}}
              failed={contactChange}
              canEdit={canEdit}
              tenantId={tenantId}
              toSave={trim}
              onDone={close}
            >
              <ContactFields />
            </DataForm>
          )}
        </Toggle>
      </ResourceCard>
      {detail.business_entities.map((e) => {
        const change = latest.get(`business_entity/${e.id}`);
        return (
          <ResourceCard key={e.id} kind="Business entity" title={e.legal_name || e.reference} klarnaId={e.id} reference={e.reference} tenantId={tenantId} change={change}>
            <Text size="sm">
              Registered in {e.country || '—'}
              {e.merchant_category_codes.length > 0 && ` · MCC ${e.merchant_category_codes.join(', ')}`}
            </Text>
            <Toggle canEdit={canEdit} label="Edit business entity" open={change?.status === 'failed'}>
              {(close) => (
                <DataForm
                  key={JSON.stringify(e)}
                  label={`Business entity ${e.reference}`}
                  schema={entityFormSchema}
                  initial={{ entity: entityValues(e) } as EntityForm}
                  prefix="entity"
                  locked={entityLocks}
                  failed={change}
                  canEdit={canEdit}
                  tenantId={tenantId}
                  toSave={entitySave(e.id)}
                  onDone={close}
                >
                  <EntityEditFields />
                </DataForm>
              )}
            </Toggle>
          </ResourceCard>
        );
      })}
      <PendingCreates tenantId={tenantId} changes={items} kinds={new Set(['business_entity'])} known={new Set(detail.business_entities.map((e) => e.id))} />
      <Toggle canEdit={canEdit} label="Add business entity">
        {(close) => (
          <DataForm label="New business entity" schema={entityFormSchema} initial={{ entity: emptyEntity() } as EntityForm} prefix="entity" locked={{}} canEdit tenantId={tenantId} toSave={entitySave(undefined)} onDone={close}>
            <EntityEditFields />
          </DataForm>
        )}
      </Toggle>
    </Stack>
  );
}
