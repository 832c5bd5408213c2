// Public entry of the notifications feature: the header bell and its queries.
export { notificationsQuery } from './api/notifications';
export { NotificationBell } from './components/NotificationBell';
export { EmailPreferences } from './components/EmailPreferences';
