import { Avatar, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { logout } from '@/lib/api';
import { browser } from '@/lib/browser';
import { notify } from '@/lib/notify';
import { sessionState } from '@/lib/session';
import { forgetTenantChoice, useTenant } from '../tenant';

function initials(name: string, email: string): string {
  const words = (name || email).split(/[\s@._-]+/).filter(Boolean);
  return (words[0]?.[0] ?? '?').toUpperCase() + (words[1]?.[0] ?? '').toUpperCase();
}

/** The logged-in user's name and email, with Sign out. */
export function UserMenu() {
  const { me, tenant, can } = useTenant();
  const [busy, setBusy] = useState(false);
  const { name, email } = me.user;

  const signOut = async () => {
    setBusy(true);
    try {
      const { redirect } = await logout();
      // The next sign-in (maybe someone else's) starts from its own first tenant.
      forgetTenantChoice(me.user.id);
      sessionState.reset();
      browser.assign(redirect);
    } catch (e) {
      setBusy(false);
      notify({ color: 'red', title: 'Could not sign out', message: e instanceof Error ? e.message : String(e) });
    }
  };

  return (
    <Menu position="bottom-end" width={260} withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu for ${name || email}`}>
          <Group gap="xs" wrap="nowrap">
            <Avatar radius="xl" size="sm" color="blue">
              {initials(name, email)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="md" truncate maw={160}>
              {name || email}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)">
            {name}
          </Text>
          <Text size="xs">{email}</Text>
          {tenant.roles.length > 0 && <Text size="xs">Roles in {tenant.name}: {tenant.roles.join(', ')}</Text>}
        </Menu.Label>
        <Menu.Divider />
        {can('token:manage') && (
          <Menu.Item component={Link} to="/settings/tokens">
            API tokens
          </Menu.Item>
        )}
        <Menu.Item component={Link} to="/settings">
          Settings
        </Menu.Item>
        <Menu.Item color="red" onClick={() => void signOut()} disabled={busy}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
