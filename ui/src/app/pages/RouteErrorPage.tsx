import { Container } from '@mantine/core';
import { isRouteErrorResponse, useNavigate, useRouteError } from 'react-router';
import { ErrorPanel } from '@/components/ErrorPanel';

/** The router's last line of defence: an error outside any page (e.g. in the layout itself). */
export function RouteErrorPage() {
  const error = useRouteError();
  const navigate = useNavigate();
  const shown = isRouteErrorResponse(error) ? new Error(`${error.status} ${error.statusText}`) : error;
  return (
    <Container size="sm" py="xl">
      <ErrorPanel error={shown} title="Partner Desk could not show this page" onRetry={() => navigate(0)} />
    </Container>
  );
}
