import { Badge, Code, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageLoader } from '@/components/PageLoader';
import { api, type Schemas } from '@/lib/api';
import { formatDateTime } from '@/lib/format';

export const klarnaSettingsQuery = queryOptions({
  queryKey: ['settings', 'klarna'],
  queryFn: ({ signal }) => api.get('/settings/klarna', { signal }),
});

type Cert = Schemas['CertificateStatus'] | Schemas['DeepLinkCertificateStatus'];

function Configured({ ok, yes = 'configured', no = 'not configured' }: { ok: boolean; yes?: string; no?: string }) {
  return (
    <Badge color={ok ? 'green' : 'gray'} variant="light" tt="none">
      {ok ? yes : no}
    </Badge>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={220}>
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

/** A certificate's public facts: subject, issuer, SHA-256 fingerprint and expiry. */
function CertFacts({ cert }: { cert: Cert }) {
  const [now] = useState(() => Date.now());
  if (!cert.configured) return null;
  if (cert.error) return <Text size="sm" c="red">{cert.error}</Text>;
  const expired = cert.not_after ? new Date(cert.not_after).getTime() < now : false;
  return (
    <Stack gap={2} mt={4}>
      <Text size="xs">
        Subject <Code>{cert.subject || '—'}</Code> · issuer <Code>{cert.issuer || '—'}</Code>
      </Text>
      <Text size="xs" style={{ wordBreak: 'break-all' }}>
        SHA-256 <Code>{cert.fingerprint_sha256}</Code>
      </Text>
      {cert.not_after && (
        <Text size="xs" c={expired ? 'red' : undefined}>
          {expired ? 'Expired' : 'Valid until'} {formatDateTime(cert.not_after)}
        </Text>
      )}
      {cert.source && (
        <Text size="xs" c="dimmed">
          From {cert.source}
        </Text>
      )}
    </Stack>
  );
}

const ACCEPTED: Record<Schemas['DeepLinkCertificateStatus']['accepted'], { color: string; label: string }> = {
  yes: { color: 'green', label: 'accepted by Klarna' },
  no: { color: 'red', label: 'not accepted by Klarna' },
  unknown: { color: 'gray', label: 'acceptance unknown' },
};

/**
 * Partner Desk's own Klarna credentials, as status only: where the API key comes from, the mTLS and
 * deep-link signing certificates, the acquirer's account id. Never a secret: the server sends none.
 */
export function KlarnaCredentialsCard() {
  const q = useQuery(klarnaSettingsQuery);
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">
        Klarna credentials
      </Title>
      {q.error ? (
        <ErrorPanel error={q.error} onRetry={() => void q.refetch()} />
      ) : !q.data ? (
        <PageLoader label="Loading Klarna credentials" />
      ) : (
        <Paper withBorder radius="md" aria-label="Klarna credentials">
          <Table>
            <Table.Tbody>
              <Row label="API key">
                <Configured ok={q.data.api_key.configured} />{' '}
                <Text span size="sm">
                  {q.data.api_key.source === 'none' ? (
                    <>
                      set <Code>PARTNERDESK_KLARNA_API_KEY</Code> or <Code>PARTNERDESK_KLARNA_API_KEY_FILE</Code>
                    </>
                  ) : (
                    <>
                      from <Code>{q.data.api_key.variable}</Code>
                    </>
                  )}
                </Text>
              </Row>
              <Row label="Mutual TLS">
                <Configured ok={q.data.mtls.configured} />
                <CertFacts cert={q.data.mtls} />
              </Row>
              <Row label="Deep-link signing certificate">
                <Configured ok={q.data.deep_link.configured} />{' '}
                {q.data.deep_link.configured && (
                  <Badge color={ACCEPTED[q.data.deep_link.accepted].color} variant="light" tt="none">
                    {ACCEPTED[q.data.deep_link.accepted].label}
                  </Badge>
                )}
                <CertFacts cert={q.data.deep_link} />
                {q.data.deep_link.accepted_detail && (
                  <Text size="xs" c="dimmed">
                    {q.data.deep_link.accepted_detail}
                  </Text>
                )}
              </Row>
              <Row label="Acquirer account id">
                {q.data.acquirer_account_id ? <Code>{q.data.acquirer_account_id}</Code> : <Configured ok={false} />}
              </Row>
              <Row label="Klarna">
                <Code>{q.data.gateway_url}</Code> {q.data.simulator && <Badge variant="light" color="yellow" tt="none">simulator</Badge>}
              </Row>
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}
