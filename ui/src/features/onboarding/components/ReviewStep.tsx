import { Alert, Anchor, Button, Code, Group, List, Loader, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { FormError } from '@/components/FormError';
import { ApiError } from '@/lib/api';
import { serverPath } from '@/lib/form';
import { payloadQuery } from '../api/onboarding';
import { errorsByStep, STEP_LABEL } from '../model';

/**
 * The last step: what is still wrong, grouped by step with a link to each
 * field, and the exact payload Klarna will receive (as the server builds it
 * from the saved draft), then Submit.
 */
export function ReviewStep(props: {
  draftId: string;
  version: number;
  upToDate: boolean;
  problems: Record<string, string>;
  onJump: (path: string) => void;
  onSubmit: () => void;
  submitting: boolean;
  submitError: unknown;
}) {
  const { draftId, version, upToDate, problems, onJump, onSubmit, submitting, submitError } = props;
  const payload = useQuery({ ...payloadQuery(draftId, version), enabled: upToDate });
  const groups = errorsByStep(problems);

  return (
    <Stack>
      {groups.length > 0 ? (
        <Alert color="red" variant="light" title={`${Object.keys(problems).length} ${Object.keys(problems).length === 1 ? 'problem' : 'problems'} to fix before submitting`}>
          <Stack gap="sm" aria-label="Problems by step">
            {groups.map((g) => (
              <div key={g.step}>
                <Text fw={600} size="sm">
                  {STEP_LABEL[g.step]}
                </Text>
                <List size="sm">
                  {g.errors.map((e) => (
                    <List.Item key={e.path}>
                      <Anchor component="button" type="button" size="sm" onClick={() => onJump(e.path)}>
                        {serverPath(e.path)}
                      </Anchor>
                      : {e.message}
                    </List.Item>
                  ))}
                </List>
              </div>
            ))}
          </Stack>
        </Alert>
      ) : (
        <Alert color="green" variant="light" title="Ready to submit">
          Every rule is met. Submitting sends the payload below to Klarna once — a retry or a double click never onboards twice.
        </Alert>
      )}

      <Title order={3}>Payload sent to Klarna</Title>
      <Text size="sm" c="dimmed">
        The exact body of <Code>POST /v2/distribution/onboard</Code>, read-only.
      </Text>
      {!upToDate || payload.isPending ? (
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm">Saving and building the payload…</Text>
        </Group>
      ) : payload.isError ? (
        <FormError error={payload.error} fields={[]} />
      ) : (
        <ScrollArea.Autosize mah={480} type="auto">
          <Code block aria-label="Onboard payload (JSON)" data-testid="onboard-payload">
            {JSON.stringify(payload.data, null, 2)}
          </Code>
        </ScrollArea.Autosize>
      )}

      {/* Field errors of a refused submit are in the list above; anything else is said here. */}
      {submitError && !(submitError instanceof ApiError && submitError.fieldErrors.length > 0) ? <FormError error={submitError} fields={[]} /> : null}
      <Group justify="flex-end">
        <Button onClick={onSubmit} loading={submitting} disabled={groups.length > 0}>
          Submit to Klarna
        </Button>
      </Group>
    </Stack>
  );
}
