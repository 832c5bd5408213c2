import { AppShell, Burger, Group, NavLink, ScrollArea, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { QueryErrorResetBoundary } from '@tanstack/react-query';
import { Suspense } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { ColorSchemeToggle } from '@/components/ColorSchemeToggle';
import { ErrorBoundary } from '@/components/ErrorBoundary';
import { PageLoader } from '@/components/PageLoader';
import { Notifications } from '@/components/Notifications';
import { TenantSwitcher, UserMenu, useTenant } from '@/features/identity';
import { DemoBadge, VersionText } from '@/features/meta';
import { useResumePendingAction } from '@/lib/stepUp';
import { activeNavItem, visibleNavItems } from './navigation';

export function AppLayout() {
  const [navOpen, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  const { pathname } = useLocation();
  const { can } = useTenant();
  const items = visibleNavItems(can);
  const current = activeNavItem(items, pathname);
  // Back from a step-up login: finish the action that asked for it.
  useResumePendingAction();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      footer={{ height: 36 }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpen} onClick={toggleNav} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <UnstyledButton component={Link} to="/" aria-label="Partner Desk home">
              <Title order={2} size="h4">
                Partner Desk
              </Title>
            </UnstyledButton>
            <DemoBadge />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <TenantSwitcher />
            <ColorSchemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        <AppShell.Section grow component={ScrollArea}>
          {items.map((item) => {
            const active = item === current;
            return (
              <NavLink
                key={item.path}
                component={Link}
                to={item.path}
                label={item.label}
                description={item.description}
                active={active}
                aria-current={active ? 'page' : undefined}
                onClick={closeNav}
              />
            );
          })}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <QueryErrorResetBoundary>
          {({ reset }) => (
            <ErrorBoundary onReset={reset} resetKeys={[pathname]}>
              <Suspense fallback={<PageLoader />}>
                <Outlet />
              </Suspense>
            </ErrorBoundary>
          )}
        </QueryErrorResetBoundary>
      </AppShell.Main>

      <AppShell.Footer>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <VersionText />
          <Text size="xs" c="dimmed" visibleFrom="sm">
            Klarna partner management for acquirers
          </Text>
        </Group>
      </AppShell.Footer>
      <Notifications />
    </AppShell>
  );
}
