// The bell in the app header: unread notifications. Owned by the
// notifications work; the app shell renders it.
export function NotificationBell() {
  return null;
}
