import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmButton } from '@/components/ConfirmButton';
import { DataTable, type DataColumn } from '@/components/DataTable';
import { ErrorPanel } from '@/components/ErrorPanel';
import { FormError, fieldError } from '@/components/FormError';
import { AlertIcon } from '@/components/icons';
import { PageLoader } from '@/components/PageLoader';
import { useTenant } from '@/features/identity';
import { formatDate, formatDateTime } from '@/lib/format';
import { notify } from '@/lib/notify';
import { useResumedResult } from '@/lib/stepUp';
import {
  ageText,
  CREATE_API_KEY,
  partnerCredentialsQuery,
  useCreateAPIKey,
  useCreateClientIdentifier,
  useDisableCredential,
  useSetOrigins,
  type CreatedAPIKey,
  type Credential,
} from '../api/credentials';
import { IdCode, StatusBadge, UnusedBadge } from './badges';
import { OriginsEditor } from './OriginsEditor';
import { SecretKeyModal } from './SecretKeyModal';

const NONE: Credential[] = [];

/** Disable with a confirmation that names the credential and says it cannot be undone. */
function DisableButton({ tenantId, credential }: { tenantId: string; credential: Credential }) {
  const disable = useDisableCredential(tenantId);
  const what = credential.kind === 'client_identifier' ? 'client identifier' : 'API key';
  return (
    <ConfirmButton
      title={`Disable ${what} “${credential.description || credential.credential_id}”?`}
      message={
        <>
          This cannot be undone: Klarna disables it for good, and everything using it ({credential.kind === 'client_identifier' ? 'the Web SDK on these origins' : 'the integration calling Klarna with it'}) is refused at once.
          You may need to sign in again to confirm.
        </>
      }
      confirmLabel={`Disable ${what}`}
      aria-label={`Disable ${credential.description || credential.credential_id}`}
      loading={disable.isPending}
      onConfirm={() =>
        disable.mutate(credential, {
          onSuccess: () => notify({ color: 'green', title: `${what.charAt(0).toUpperCase()}${what.slice(1)} disabled`, message: `“${credential.description}” no longer works at Klarna.` }),
          onError: (e) => notify({ color: 'red', title: `Could not disable the ${what}`, message: e.message }),
        })
      }
    >
      Disable
    </ConfirmButton>
  );
}

function CreateKeyForm({ tenantId, onCreated }: { tenantId: string; onCreated: (c: CreatedAPIKey) => void }) {
  const [description, setDescription] = useState('');
  const create = useCreateAPIKey(tenantId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(description.trim(), {
      onSuccess: (c) => {
        setDescription('');
        create.reset();
        onCreated(c);
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label="Create an API key" noValidate>
      <Group align="flex-start" wrap="wrap">
        <TextInput
          label="New API key"
          placeholder="e.g. shop backend, production"
          description="Say what will use it: letters, digits, spaces and - : ; . , _ (at most 100)."
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={fieldError(create.error, 'description')}
          maxLength={100}
          style={{ flex: 1, minWidth: 260 }}
        />
        <Button type="submit" mt={25} loading={create.isPending} disabled={!description.trim()}>
          Create API key
        </Button>
      </Group>
      <FormError error={create.error} fields={['description']} />
    </form>
  );
}

function CreateClientIdentifier({ tenantId, max }: { tenantId: string; max: number }) {
  const [open, setOpen] = useState(false);
  const [description, setDescription] = useState('');
  const [origins, setOrigins] = useState<string[]>([]);
  const create = useCreateClientIdentifier(tenantId);
  const close = () => {
    setOpen(false);
    setDescription('');
    setOrigins([]);
    create.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { description: description.trim(), origins: origins.map((o) => o.trim()).filter(Boolean) },
      {
        onSuccess: (c) => {
          close();
          notify({ color: 'green', title: 'Client identifier created', message: `${c.client_id} works on ${c.origins.length} ${c.origins.length === 1 ? 'origin' : 'origins'}.` });
        },
      },
    );
  };
  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)}>
        Create client identifier
      </Button>
      <Modal opened={open} onClose={close} title="Create a client identifier" centered size="lg">
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput label="Description" placeholder="e.g. web checkout" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fieldError(create.error, 'description')} required data-autofocus />
            <OriginsEditor origins={origins} onChange={setOrigins} error={create.error} max={max} />
            <FormError error={create.error} fields={['description', 'origins']} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create client identifier
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function EditOrigins({ tenantId, credential, max, onClose }: { tenantId: string; credential: Credential; max: number; onClose: () => void }) {
  const [origins, setOrigins] = useState<string[]>(credential.origins);
  const save = useSetOrigins(tenantId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      { credential, origins: origins.map((o) => o.trim()).filter(Boolean) },
      {
        onSuccess: () => {
          notify({ color: 'green', title: 'Origins saved', message: `“${credential.description}” now works on ${origins.length} ${origins.length === 1 ? 'origin' : 'origins'}.` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={`Origins of “${credential.description}”`} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <OriginsEditor origins={origins} onChange={setOrigins} error={save.error} max={max} />
          <FormError error={save.error} fields={['origins']} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save origins
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * A partner's Klarna credentials, read from Klarna acting for the partner: API keys (create with the
 * secret shown once, disable), Web SDK client identifiers with their allowed origins, and client
 * certificates (read only).
 */
export function PartnerCredentials({ tenantId }: { tenantId: string }) {
  const { can } = useTenant();
  const manage = can('credential:manage');
  const q = useQuery(partnerCredentialsQuery(tenantId));
  const [created, setCreated] = useState<CreatedAPIKey>();
  const [resumed, clearResumed] = useResumedResult<CreatedAPIKey>(CREATE_API_KEY);
  const [editing, setEditing] = useState<Credential>();
  const shown = created ?? resumed;
  // Ages and warnings are as of the last read.
  const now = q.dataUpdatedAt;
  if (q.isPending) return <PageLoader label="Loading credentials" />;
  if (q.error) return <ErrorPanel error={q.error} title="Could not load the credentials" onRetry={() => void q.refetch()} />;
  const d = q.data;

  const keyColumns: DataColumn<Credential>[] = [
    {
      id: 'description',
      header: 'Description',
      hideable: false,
      cell: (c) => (
        <Stack gap={2}>
          <Text size="sm" fw={500}>
            {c.description || '—'}
          </Text>
          <UnusedBadge credential={c} now={now} />
        </Stack>
      ),
    },
    { id: 'id', header: 'Key id', cell: (c) => <IdCode id={c.credential_id} /> },
    { id: 'status', header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
    { id: 'created', header: 'Created', nowrap: true, cell: (c) => `${formatDate(c.created_at)} (${ageText(c.created_at, now)})` },
    { id: 'creator', header: 'Created by', cell: (c) => c.created_by || <Text size="sm" c="dimmed">outside Partner Desk</Text> },
    { id: 'last_used', header: 'Last used', cell: (c) => formatDateTime(c.last_used_at, 'Not reported') },
    {
      id: 'actions',
      header: 'Actions',
      headerHidden: true,
      hideable: false,
      cell: (c) => manage && c.status === 'ENABLED' && <DisableButton tenantId={tenantId} credential={c} />,
    },
  ];
  const clientColumns: DataColumn<Credential>[] = [
    { id: 'description', header: 'Description', hideable: false, cell: (c) => <Text size="sm" fw={500}>{c.description || '—'}</Text> },
    {
      id: 'client_id',
      header: 'Client identifier',
      cell: (c) => (
        <Group gap={4} wrap="nowrap">
          <IdCode id={c.client_id} width={220} />
          <CopyButton value={c.client_id}>
            {({ copied, copy }) => (
              <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy the client identifier of ${c.description}`}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      ),
    },
    {
      id: 'origins',
      header: 'Allowed origins',
      cell: (c) => (
        <Group gap={4}>
          {c.origins.map((o) => (
            <Badge key={o} variant="outline" tt="none">
              {o}
            </Badge>
          ))}
        </Group>
      ),
    },
    { id: 'status', header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
    { id: 'created', header: 'Created', nowrap: true, cell: (c) => formatDate(c.created_at) },
    { id: 'creator', header: 'Created by', cell: (c) => c.created_by || <Text size="sm" c="dimmed">outside Partner Desk</Text> },
    {
      id: 'actions',
      header: 'Actions',
      headerHidden: true,
      hideable: false,
      cell: (c) =>
        manage &&
        c.status === 'ENABLED' && (
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" variant="default" onClick={() => setEditing(c)} aria-label={`Edit origins of ${c.description}`}>
              Edit origins
            </Button>
            <DisableButton tenantId={tenantId} credential={c} />
          </Group>
        ),
    },
  ];
  const certColumns: DataColumn<Credential>[] = [
    { id: 'description', header: 'Description', hideable: false, cell: (c) => c.description || '—' },
    { id: 'id', header: 'Certificate id', cell: (c) => <IdCode id={c.credential_id} /> },
    { id: 'usage', header: 'Usage', cell: (c) => c.client_id || '—' },
    { id: 'status', header: 'Status', cell: (c) => <StatusBadge status={c.status} /> },
    { id: 'expires', header: 'Expires', cell: (c) => formatDate(c.expires_at) },
  ];

  return (
    <Stack gap="lg">
      {d.sync_error && (
        <Alert color="yellow" variant="light" icon={<AlertIcon />} title="Klarna could not be read just now">
          {d.sync_error} What you see is what Partner Desk last read from Klarna.
        </Alert>
      )}
      <Paper withBorder p="md" radius="md">
        <Stack>
          <Group justify="space-between">
            <Title order={3} size="h4">
              API keys
            </Title>
            <Text size="xs" c="dimmed">
              Klarna account <Code>{d.klarna_account_id}</Code>
            </Text>
          </Group>
          <Text size="sm" c="dimmed">
            Keys for the partner’s own server-to-server calls to Klarna. The key itself is shown once, when it is created. Klarna disables keys unused for more than two months; disabling is final.
          </Text>
          {manage && <CreateKeyForm tenantId={tenantId} onCreated={setCreated} />}
          <DataTable
            id="partner-api-keys"
            label="API keys"
            columns={keyColumns}
            rows={d.api_keys ?? NONE}
            rowKey={(c) => c.credential_id}
            rowAttrs={(c) => ({ 'data-credential': c.description })}
            columnChoice={false}
            minWidth={760}
            nouns={['key', 'keys']}
            empty={{ title: 'No API keys', text: 'Keys created here or in the Klarna Partner Portal appear here, without their secrets.' }}
          />
        </Stack>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Stack>
          <Group justify="space-between">
            <Title order={3} size="h4">
              Client identifiers (Web SDK)
            </Title>
            {manage && <CreateClientIdentifier tenantId={tenantId} max={d.max_origins} />}
          </Group>
          <Text size="sm" c="dimmed">
            Public identifiers the Klarna Web SDK uses in the shop’s pages, allowed only on the origins listed.
          </Text>
          <DataTable
            id="partner-client-identifiers"
            label="Client identifiers"
            columns={clientColumns}
            rows={d.client_identifiers ?? NONE}
            rowKey={(c) => c.credential_id}
            rowAttrs={(c) => ({ 'data-credential': c.description })}
            columnChoice={false}
            minWidth={760}
            nouns={['client identifier', 'client identifiers']}
            empty={{ title: 'No client identifiers', text: 'Create one with the shop’s origins to use Klarna’s Web SDK (on-site messaging, Express checkout, Sign in with Klarna).' }}
          />
        </Stack>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Stack>
          <Title order={3} size="h4">
            Client certificates
          </Title>
          <DataTable
            id="partner-certificates"
            label="Client certificates"
            columns={certColumns}
            rows={d.certificates ?? NONE}
            rowKey={(c) => c.credential_id}
            columnChoice={false}
            nouns={['certificate', 'certificates']}
            empty={{ title: 'No client certificates', text: 'Certificates Klarna signed for this partner (mTLS, deep-link signing) appear here where Klarna’s API lists them.' }}
          />
        </Stack>
      </Paper>
      {editing && <EditOrigins tenantId={tenantId} credential={editing} max={d.max_origins} onClose={() => setEditing(undefined)} />}
      <SecretKeyModal
        created={shown}
        onClose={() => {
          setCreated(undefined);
          clearResumed();
        }}
      />
    </Stack>
  );
}
