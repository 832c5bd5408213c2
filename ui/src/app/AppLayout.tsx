import { AppShell, Box, Burger, Group, NavLink, ScrollArea, Text, Title, UnstyledButton } from '@mantine/core';
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
import { NotificationBell } from '@/features/notifications';
import { SearchBox } from '@/features/search';
import { usePhone } from '@/lib/phone';
import { useResumePendingAction } from '@/lib/stepUp';
import { activeNavItem, visibleNavItems } from './navigation';

/**
 * On a phone (usePhone) the navigation is a burger drawer; the header then
 * keeps only the burger, the name, the theme switch and the account menu (so
 * Sign out is always reachable from 360 px up), and the tenant switcher moves
 * into the drawer.
 */
export function AppLayout() {
  const [navOpen, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  const phone = usePhone();
  const { pathname } = useLocation();
  const { can, tenant } = useTenant();
  const items = visibleNavItems(can, tenant.kind);
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
        <Group h="100%" px={phone ? 'xs' : 'md'} justify="space-between" wrap="nowrap" gap="xs">
          <Group gap={phone ? 6 : 'sm'} wrap="nowrap" miw={0}>
            {phone && <Burger opened={navOpen} onClick={toggleNav} size="sm" aria-label="Toggle navigation" aria-expanded={navOpen} />}
            <UnstyledButton component={Link} to="/" aria-label="Partner Desk home" style={{ whiteSpace: 'nowrap' }}>
              <Title order={2} size={phone ? 'h5' : 'h4'} style={{ whiteSpace: 'nowrap' }}>
                Partner Desk
              </Title>
            </UnstyledButton>
            {/* On a phone the header has no room for it: it sits in the drawer, above the tenant. */}
            {!phone && <DemoBadge />}
          </Group>
          <Group gap={phone ? 6 : 'sm'} wrap="nowrap" style={{ flexShrink: 0 }}>
            {/* issue 13: the search box (an icon at phone width); the / key opens it */}
            <SearchBox />
            {!phone && <TenantSwitcher />}
            <NotificationBell />
            <ColorSchemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {phone && (
          <AppShell.Section mb="xs">
            <Box data-testid="drawer-tenant">
              <DemoBadge />
              <TenantSwitcher />
            </Box>
          </AppShell.Section>
        )}
        <AppShell.Section grow component={ScrollArea}>
          {items.map((item) => {
            const active = item === current;
            return (
              <NavLink
                key={item.path}
                component={Link}
                to={item.path}
                label={item.label}
                description={phone ? undefined : item.description}
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
            {tenant.kind === 'partner' ? 'Klarna partner management' : 'Klarna partner management for acquirers'}
          </Text>
        </Group>
      </AppShell.Footer>
      <Notifications />
    </AppShell>
  );
}
