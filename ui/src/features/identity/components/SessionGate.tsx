import { Container } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { EmptyState } from '@/components/EmptyState';
import { ErrorPanel } from '@/components/ErrorPanel';
import { PageLoader } from '@/components/PageLoader';
import { ApiError } from '@/lib/api';
import { useSessionState } from '@/lib/session';
import { meQuery } from '../api/identity';
import { TenantProvider } from '../tenant';

/** Where the login screen sends the user back to after signing in. */
export function loginScreenPath(returnTo: string, expired = false): string {
  const qs = new URLSearchParams();
  if (expired) qs.set('reason', 'expired');
  qs.set('return_to', returnTo);
  return `/login?${qs.toString()}`;
}

/**
 * Renders its children only for a logged-in user (GET /me). Not logged in:
 * the login screen. Logged in before, but a request now answers 401: the
 * login screen's "session expired" variant. Both keep the current address to
 * come back to; neither redirects to the IdP by itself.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const me = useQuery(meQuery);
  const session = useSessionState();
  const location = useLocation();
  const here = location.pathname + location.search;
  const unauthenticated = me.error instanceof ApiError && me.error.isUnauthenticated;

  if (session.expired || (unauthenticated && session.established)) return <Navigate to={loginScreenPath(here, true)} replace />;
  if (unauthenticated) return <Navigate to={loginScreenPath(here)} replace />;
  if (me.error)
    return (
      <Container size="sm" py="xl">
        <ErrorPanel error={me.error} title="Partner Desk could not load your account" onRetry={() => void me.refetch()} />
      </Container>
    );
  if (!me.data) return <PageLoader label="Loading your account" />;
  if (me.data.tenants.length === 0)
    return (
      <Container size="sm" py="xl">
        <EmptyState title="You have no access yet">
          You are signed in as {me.data.user.email || me.data.user.name}, but you hold no role in Partner Desk. Ask an
          administrator to invite you or grant you a role.
        </EmptyState>
      </Container>
    );
  return <TenantProvider me={me.data}>{children}</TenantProvider>;
}
