import { ActionIcon, Button, Drawer, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { BellIcon } from '@/components/icons';
import { useMeta } from '@/features/meta';
import { notificationsQuery, outboxQuery, useMarkAllRead, useMarkRead, type Notification } from '../api/notifications';

/** The bell in the app header: the caller's notifications, the unread count, and (in dev) the mail outbox. */
export function NotificationBell() {
  const [open, { toggle, close }] = useDisclosure(false);
  const [outboxOpen, outbox] = useDisclosure(false);
  const { data } = useQuery(notificationsQuery);
  const { data: meta } = useMeta();
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const navigate = useNavigate();
  const unread = data?.unread ?? 0;
  const items = data?.items ?? [];
  const label = unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';

  const openItem = (n: Notification) => {
    if (!n.read_at) markRead.mutate(n.id);
    close();
    if (n.link) void navigate(n.link);
  };

  return (
    <>
      <Popover opened={open} onChange={(o) => !o && close()} position="bottom-end" width={340} shadow="md">
        <Popover.Target>
          <Indicator label={unread > 99 ? '99+' : unread} size={16} disabled={unread === 0} color="red" offset={4}>
            <ActionIcon variant="default" size="lg" aria-label={label} onClick={toggle}>
              <BellIcon />
            </ActionIcon>
          </Indicator>
        </Popover.Target>
        <Popover.Dropdown aria-label="Notifications" role="dialog">
          <Group justify="space-between" mb="xs">
            <Text fw={600}>Notifications</Text>
            <Button size="compact-xs" variant="subtle" disabled={unread === 0} onClick={() => markAll.mutate()}>
              Mark all read
            </Button>
          </Group>
          <ScrollArea.Autosize mah={360}>
            {items.length === 0 ? (
              <Text c="dimmed" size="sm">
                No notifications.
              </Text>
            ) : (
              <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {items.map((n) => (
                  <li key={n.id}>
                    <UnstyledButton onClick={() => openItem(n)} p={6} w="100%" aria-label={`${n.read_at ? '' : 'Unread: '}${n.title}`}>
                      <Text size="sm" fw={n.read_at ? 400 : 600}>
                        {n.title}
                      </Text>
                      {n.body && (
                        <Text size="xs" c="dimmed">
                          {n.body}
                        </Text>
                      )}
                      <Text size="xs" c="dimmed">
                        {new Date(n.created_at).toLocaleString()}
                      </Text>
                    </UnstyledButton>
                  </li>
                ))}
              </Stack>
            )}
          </ScrollArea.Autosize>
          <Button
            mt="xs"
            mr="xs"
            size="compact-xs"
            variant="subtle"
            onClick={() => {
              close();
              void navigate('/settings#notifications');
            }}
          >
            E-mail choices
          </Button>
          {meta?.environment === 'dev' && (
            <Button
              mt="xs"
              size="compact-xs"
              variant="light"
              onClick={() => {
                close();
                outbox.open();
              }}
            >
              Mail outbox (dev)
            </Button>
          )}
        </Popover.Dropdown>
      </Popover>
      {meta?.environment === 'dev' && <OutboxDrawer opened={outboxOpen} onClose={outbox.close} />}
    </>
  );
}

/** The dev outbox: the e-mail that would have been sent. */
function OutboxDrawer({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { data, isError } = useQuery({ ...outboxQuery, enabled: opened });
  return (
    <Drawer opened={opened} onClose={onClose} title="Mail outbox (dev)" position="right">
      {isError && <Text c="dimmed">The dev outbox is off.</Text>}
      <Stack gap="sm">
        {(data?.items ?? []).map((m) => (
          <div key={m.id}>
            <Text size="sm" fw={600}>
              {m.subject}
            </Text>
            <Text size="xs" c="dimmed">
              To {m.to} · {new Date(m.created_at).toLocaleString()}
            </Text>
            <Text size="xs" style={{ whiteSpace: 'pre-wrap' }}>
              {m.body}
            </Text>
          </div>
        ))}
        {data && data.items.length === 0 && <Text c="dimmed">No mail yet.</Text>}
      </Stack>
    </Drawer>
  );
}
