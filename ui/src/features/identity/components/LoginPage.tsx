import { Alert, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useSearchParams } from 'react-router';
import { AlertIcon } from '@/components/icons';
import { browser, loginUrl, safeReturnPath } from '@/lib/browser';

const GENERIC_ERROR = 'Sign-in failed. Try again; if it keeps failing, ask your administrator.';

// The codes the callback sends (/login?error=…), each with a fixed sentence.
// Anything else gets the generic sentence: the page never shows text taken
// from its address, which anyone can put in a link.
const KNOWN_ERRORS: Record<string, string> = {
  login_failed: GENERIC_ERROR,
  access_denied: 'Sign-in was cancelled or refused at the identity provider.',
  disabled: 'Your account is disabled. Ask an administrator to enable it.',
  state_mismatch: 'This sign-in expired or was started in another browser. Start it again here.',
  no_email: 'The identity provider did not share your e-mail address, which Partner Desk needs: ask your administrator to release the email claim.',
  rate_limited: 'Too many sign-in attempts from your address. Wait a minute and try again.',
};

/** Turns the ?error= code of a failed login into a fixed sentence. */
export function readableLoginError(code: string): string {
  return (Object.hasOwn(KNOWN_ERRORS, code) ? KNOWN_ERRORS[code] : undefined) ?? GENERIC_ERROR;
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
