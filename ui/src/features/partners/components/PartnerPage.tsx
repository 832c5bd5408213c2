import { Alert, Anchor, Badge, Box, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageHeader } from '@/components/PageHeader';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { KlarnaCallsLink } from '@/features/klarnalog';
import { OpenPortalButton } from '@/features/portal';
import { ApiError } from '@/lib/api';
import { formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import { partnerQuery, useRefreshPartner, type PartnerDetail, type StoreGroupNode } from '../api/partners';
import { PartnerTabs } from '../tabs';
import { OffboardedBadge, StageBadge, StateBadge, WarningBadges } from './badges';
import { CopyId } from '@/components/CopyId';
import { ReadinessChecklist } from './Readiness';

/** How often the page re-reads itself while a refresh from Klarna is under way, and for how long at most. */
export const REFRESH_POLL_MS = 2_000;
const REFRESH_POLL_FOR_MS = 60_000;

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text size="sm" component="div">
      <Text span c="dimmed" size="sm">
        {label}:{' '}
      </Text>
      {children}
    </Text>
  );
}

/** One node of the tree: what it is, its name, Klarna's id and our reference, details, and its children. */
/** The call log's object kind of each node (its Klarna calls are linked from the node). */
const CALL_LOG_KIND: Record<string, string> = {
  Account: 'account',
  'Business entity': 'business_entity',
  'Payment product': 'payment_product',
  Brand: 'brand',
  'Store group': 'store_group',
  Store: 'store',
};

function Node({ kind, title, klarnaId, reference, children, details }: { kind: string; title: string; klarnaId?: string; reference?: string; details?: ReactNode; children?: ReactNode }) {
  const name = `${kind} ${title}`;
  return (
    <Box component="section" aria-label={name} pl="md" py={6} style={{ borderLeft: '2px solid var(--mantine-color-default-border)' }}>
      <Group gap="xs" align="baseline">
        <Badge variant="default" size="sm" tt="none">
          {kind}
        </Badge>
        <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
          {title}
        </Text>
      </Group>
      <Group gap="lg" mt={2} wrap="wrap">
        <CopyId label="Klarna id" value={klarnaId ?? ''} of={name} />
        <CopyId label="Our reference" value={reference ?? ''} of={name} />
        {CALL_LOG_KIND[kind] && <KlarnaCallsLink objectKind={CALL_LOG_KIND[kind]} objectId={klarnaId} label={`Klarna calls about ${name}`} />}
      </Group>
      {details && (
        <Stack gap={0} mt={4}>
          {details}
        </Stack>
      )}
      {children && (
        <Stack gap={4} mt="xs">
          {children}
        </Stack>
      )}
    </Box>
  );
}

function StoreGroup({ group }: { group: StoreGroupNode }) {
  const support = [group.support_contact.email, group.support_contact.phone, group.support_contact.contact_form].filter(Boolean).join(' · ');
  return (
    <Node kind="Store group" title={group.reference || group.id} klarnaId={group.id} reference={group.reference} details={support && <Detail label="Support">{support}</Detail>}>
      {group.stores.map((s) => (
        <Node
          key={s.id || s.reference}
          kind="Store"
          title={s.url || s.reference || s.id}
          klarnaId={s.id}
          reference={s.reference}
          details={<Detail label="Type">{s.type || '—'}</Detail>}
        />
      ))}
    </Node>
  );
}

/** The account as Klarna holds it: account and contact → business entities, payment product → payment accounts, brands → store groups → stores. */
export function PartnerTree({ detail }: { detail: PartnerDetail }) {
  const { summary, contact, business_entities: entities, payment_product: product, brands, unassigned_store_groups: unassigned } = detail;
  const contactName = [contact.given_name, contact.family_name].filter(Boolean).join(' ');
  const entityName = (id: string, ref: string) => entities.find((e) => e.id === id || (ref && e.reference === ref))?.legal_name ?? (ref || id || '—');
  return (
    <Paper withBorder radius="md" p="md" aria-label="Account hierarchy" component="section">
      <Node
        kind="Account"
        title={summary.name}
        klarnaId={summary.klarna_account_id}
        reference={summary.reference}
        details={
          <>
            <Detail label="Contact">{contactName || '—'}</Detail>
            <Detail label="E-mail">{contact.email ? <Anchor href={`mailto:${contact.email}`}>{contact.email}</Anchor> : '—'}</Detail>
            <Detail label="Phone">{contact.phone || '—'}</Detail>
          </>
        }
      >
        {entities.map((e) => (
          <Node
            key={e.id || e.reference}
            kind="Business entity"
            title={e.legal_name || e.reference}
            klarnaId={e.id}
            reference={e.reference}
            details={
              <>
                <Detail label="Country">{e.country || '—'}</Detail>
                <Detail label="MCC">{e.merchant_category_codes.join(', ') || '—'}</Detail>
              </>
            }
          />
        ))}
        {product ? (
          <Node
            kind="Payment product"
            title={product.profile_id ? `profile ${product.profile_id}` : product.id}
            klarnaId={product.id}
            details={
              <Detail label="Status">
                <StateBadge value={product.status} />
              </Detail>
            }
          >
            {product.payment_accounts.map((a) => (
              <Node
                key={a.id || a.reference}
                kind="Payment account"
                title={a.reference || a.id}
                klarnaId={a.id}
                reference={a.reference}
                details={
                  <>
                    <Detail label="MCC">{a.merchant_category_code || '—'}</Detail>
                    <Detail label="Acquiring account">{a.acquiring_account_id ? <Code>{a.acquiring_account_id}</Code> : '—'}</Detail>
                    <Detail label="Business entity">{entityName(a.business_entity_id, a.business_entity_reference)}</Detail>
                    <Detail label="Store group">{a.default_store_group_reference || a.default_store_group_id || '—'}</Detail>
                    {a.status && (
                      <Detail label="Status">
                        <StateBadge value={a.status} />
                      </Detail>
                    )}
                  </>
                }
              />
            ))}
          </Node>
        ) : (
          <Text size="sm" c="dimmed" pl="md">
            No payment product yet.
          </Text>
        )}
        {brands.map((b) => (
          <Node key={b.id || b.reference} kind="Brand" title={b.display_name || b.reference} klarnaId={b.id} reference={b.reference}>
            {b.store_groups.map((g) => (
              <StoreGroup key={g.id || g.reference} group={g} />
            ))}
          </Node>
        ))}
        {unassigned.map((g) => (
          <StoreGroup key={g.id || g.reference} group={g} />
        ))}
      </Node>
    </Paper>
  );
}

/**
 * The header's actions: open the partner's Klarna Portal (portal:open), re-read from Klarna
 * (partner:manage) and add resources through the wizard (partner:onboard).
 */
function Actions({ detail, onRefreshing }: { detail: PartnerDetail; onRefreshing: () => void }) {
  const { can } = useTenant();
  const { summary } = detail;
  const refresh = useRefreshPartner(summary.tenant_id);
  return (
    <Group gap="xs">
      {can('portal:open') && <OpenPortalButton partner={summary} />}
      {can('partner:manage') && summary.klarna_account_id && (
        <Button
          variant="default"
          loading={refresh.isPending}
          onClick={() =>
            refresh.mutate(summary.name, {
              onSuccess: () => {
                notify({ color: 'blue', title: 'Reading the account from Klarna', message: 'The page updates as soon as Klarna has answered.' });
                onRefreshing();
              },
              onError: (e) => notify({ color: 'red', title: 'Could not refresh from Klarna', message: e.message }),
            })
          }
        >
          Refresh from Klarna
        </Button>
      )}
      {can('partner:onboard') && (
        <Button component={Link} to={`/onboarding/new?partner=${encodeURIComponent(summary.tenant_id)}`}>
          Add resources
        </Button>
      )}
    </Group>
  );
}

/**
 * A partner's header, status and tree. `embedded` (a merchant's Overview) leaves the page's title to
 * the page; `backTo` (the directory's search) adds a link back to the list.
 */
export function PartnerView({ tenantId, backTo, embedded }: { tenantId: string; backTo?: string; embedded?: boolean }) {
  const [pollSince, setPollSince] = useState<{ at: number; synced: string | null | undefined } | null>(null);
  const partner = useQuery({
    ...partnerQuery(tenantId),
    refetchInterval: (q) => {
      if (!pollSince) return false;
      const synced = q.state.data?.summary.synced_at;
      if (synced !== pollSince.synced || Date.now() - pollSince.at > REFRESH_POLL_FOR_MS) return false;
      return REFRESH_POLL_MS;
    },
  });

  if (partner.error instanceof ApiError && partner.error.status === 404) {
    if (embedded) return <EmptyState title="Your account details are not here yet">Your Klarna account appears here once it has been onboarded.</EmptyState>;
    return (
      <>
        <PageHeader title="Not found" />
        <EmptyState title="There is no such partner">This partner does not exist or you cannot see it.</EmptyState>
      </>
    );
  }
  if (partner.error) return <ErrorPanel error={partner.error} onRetry={() => void partner.refetch()} />;
  if (!partner.data) return <PageLoader label="Loading the partner" />;

  const detail = partner.data;
  const { summary } = detail;
  return (
    <>
      {backTo !== undefined && (
        <Anchor component={Link} to={{ pathname: '/partners', search: backTo }} size="sm">
          ← All partners
        </Anchor>
      )}
      <Group justify="space-between" align="flex-start" mt="xs">
        {embedded ? (
          <Title order={2} size="h3" mb="sm">
            {summary.name}
          </Title>
        ) : (
          <PageHeader title={summary.name} description={summary.reference ? `Our reference ${summary.reference}` : undefined} />
        )}
        <Actions detail={detail} onRefreshing={() => setPollSince({ at: Date.now(), synced: summary.synced_at })} />
      </Group>
      <Group gap="xs" mb="md" aria-label="Status">
        <StateBadge value={summary.state} label="Account state" />
        <StateBadge value={summary.product_status} none="No payment product" label="Payment product" />
        <StageBadge stage={summary.onboarding_stage} stuck={summary.stuck} />
        <WarningBadges warnings={summary.warnings} />
        <OffboardedBadge at={summary.offboarded_at} />
        <KlarnaCallsLink partner={summary.tenant_slug || summary.tenant_id} />
      </Group>
      <Text size="xs" c="dimmed" mb="md">
        {summary.synced_at ? `As Klarna returned it at ${formatDateTime(summary.synced_at)}.` : 'Not read from Klarna yet.'} Created {formatDateTime(summary.created_at)}, last changed{' '}
        {formatDateTime(summary.updated_at)}.
      </Text>
      {summary.sync_error && (
        <Alert color="orange" title="The last read from Klarna failed" mb="md">
          {summary.sync_error}
        </Alert>
      )}
      {summary.klarna_account_id ? (
        <PartnerTabs
          detail={detail}
          overview={
            <>
              <ReadinessChecklist tenantId={summary.tenant_id} />
              <PartnerTree detail={detail} />
            </>
          }
        />
      ) : (
        <EmptyState title="No Klarna account yet">This partner has no Klarna account linked yet; its hierarchy appears here once onboarding has created it.</EmptyState>
      )}
    </>
  );
}

/** /partners/:tenantId — one partner's page. */
export function PartnerPage() {
  const { tenantId = '' } = useParams();
  const location = useLocation();
  const back = (location.state as { back?: string } | null)?.back;
  return <PartnerView key={tenantId} tenantId={tenantId} backTo={back ?? ''} />;
}
