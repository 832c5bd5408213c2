import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { AlertIcon } from '@/components/icons';
import type { APITokenCreated } from '../api/tokens';

/** Shows a new token's secret, once. Closing it forgets the secret. */
export function SecretModal({ created, onClose }: { created: APITokenCreated | undefined; onClose: () => void }) {
  return (
    <Modal
      opened={created !== undefined}
      onClose={onClose}
      title={`API token “${created?.token.name ?? ''}” created`}
      centered
      size="lg"
      closeOnClickOutside={false}
    >
      {created && (
        <Stack>
          <Alert color="yellow" variant="light" icon={<AlertIcon />} title="Copy the secret now">
            You won’t see this again: Partner Desk keeps only a hash of it. If you lose it, revoke the token and create a new one.
          </Alert>
          <Code block aria-label="Token secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {created.secret}
          </Code>
          <Text size="sm" c="dimmed">
            Send it as <Code>Authorization: Bearer &lt;secret&gt;</Code>.
          </Text>
          <Group justify="flex-end">
            <CopyButton value={created.secret}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? 'green' : 'blue'} onClick={copy}>
                  {copied ? 'Copied' : 'Copy secret'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>I have copied it</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
