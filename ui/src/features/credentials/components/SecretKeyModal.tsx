import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { AlertIcon } from '@/components/icons';
import type { CreatedAPIKey } from '../api/credentials';

/** A .txt of the key, made in the browser (the secret never goes back to the server). */
function textFile(created: CreatedAPIKey): string {
  const text = `Klarna API key for ${created.key.tenant_name}\nDescription: ${created.key.description}\nCredential id: ${created.key.credential_id}\nAccount: ${created.key.klarna_account_id}\n\n${created.secret}\n`;
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}

/** Shows a new Klarna API key's secret, once. Closing it forgets the secret: Partner Desk never kept it. */
export function SecretKeyModal({ created, onClose }: { created: CreatedAPIKey | undefined; onClose: () => void }) {
  return (
    <Modal opened={created !== undefined} onClose={onClose} title={`API key “${created?.key.description ?? ''}” created`} centered size="lg" closeOnClickOutside={false}>
      {created && (
        <Stack>
          <Alert color="yellow" variant="light" icon={<AlertIcon />} title="Copy the key now">
            You won’t see it again: Klarna shows it once and Partner Desk does not keep it. If you lose it, disable the key and create a new one.
          </Alert>
          <Code block aria-label="API key secret" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {created.secret}
          </Code>
          <Text size="sm" c="dimmed">
            Send it to Klarna as <Code>Authorization: Basic &lt;key&gt;</Code>. Klarna disables keys unused for more than two months.
          </Text>
          <Group justify="flex-end">
            <Button component="a" variant="default" href={textFile(created)} download={`klarna-api-key-${created.key.credential_id}.txt`}>
              Download .txt
            </Button>
            <CopyButton value={created.secret}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? 'green' : 'blue'} onClick={copy}>
                  {copied ? 'Copied' : 'Copy key'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>I have saved it</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
