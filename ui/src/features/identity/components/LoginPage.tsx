import { Alert, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useSearchParams } from 'react-router';
import { AlertIcon } from '@/components/icons';
import { browser, loginUrl, safeReturnPath } from '@/lib/browser';

// OAuth/OIDC error codes the IdP or our callback may send back, in words.
const KNOWN_ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled or refused at the identity provider.',
  login_required: 'The identity provider needs you to sign in again.',
  consent_required: 'The identity provider needs your consent before you can sign in.',
  interaction_required: 'The identity provider needs you to complete the sign-in there.',
  login_failed: 'Sign-in failed. Try again; if it keeps failing, ask your administrator.',
  server_error: 'The identity provider had a problem. Try again in a moment.',
  temporarily_unavailable: 'The identity provider is temporarily unavailable. Try again in a moment.',
  invalid_request: 'The sign-in request was not accepted by the identity provider.',
  unauthorized_client: 'Partner Desk is not allowed to sign in at this identity provider; ask your administrator.',
};

/** Turns the ?error= of a failed login into a sentence. */
export function readableLoginError(raw: string): string {
  const code = raw.trim();
  if (KNOWN_ERRORS[code]) return KNOWN_ERRORS[code];
  // An unknown bare code such as "invalid_scope": make it readable.
  if (/^[a-z0-9_]+$/.test(code)) {
    const words = code.replace(/_/g, ' ');
    return `Sign-in failed (${words}). Try again; if it keeps failing, ask your administrator.`;
  }
  return code;
}

/** The sign-in screen: never redirects by itself, so it cannot loop. */
export function LoginPage() {
  const [params] = useSearchParams();
  const expired = params.get('reason') === 'expired';
  const error = params.get('error');
  const returnTo = safeReturnPath(params.get('return_to'));
  const title = expired ? 'Your session has expired' : 'Sign in to Partner Desk';
  useDocumentTitle(`${title} · Partner Desk`);

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" maw={440} w="100%" component="main">
        <Stack>
          <Title order={1} size="h2">
            {title}
          </Title>
          <Text c="dimmed">
            {expired
              ? 'You were signed out, perhaps after a period of inactivity. Sign in again to carry on where you were.'
              : 'Partner Desk uses your organisation’s sign-in. You will come back here afterwards.'}
          </Text>
          {error && (
            <Alert color="red" variant="light" title="Sign-in did not complete" icon={<AlertIcon />} role="alert">
              {readableLoginError(error)}
            </Alert>
          )}
          <Button size="md" onClick={() => browser.assign(loginUrl(returnTo))}>
            {expired ? 'Sign in again' : 'Sign in'}
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
