import { Notification, Portal, Stack } from '@mantine/core';
import { dismiss, useNotices } from '@/lib/notify';

/** Shows the notifications pushed with notify() from @/lib/notify, top right. */
export function Notifications() {
  const notices = useNotices();
  if (notices.length === 0) return null;
  return (
    <Portal>
      <Stack gap="xs" pos="fixed" top={64} right={16} w={380} maw="calc(100vw - 32px)" style={{ zIndex: 1000 }}>
        {notices.map((n) => (
          <Notification
            key={n.id}
            title={n.title}
            color={n.color}
            withBorder
            onClose={() => dismiss(n.id)}
            closeButtonProps={{ 'aria-label': 'Dismiss notification' }}
            role={n.color === 'red' ? 'alert' : 'status'}
          >
            {n.message}
          </Notification>
        ))}
      </Stack>
    </Portal>
  );
}
