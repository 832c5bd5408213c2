// The bell lives in the notifications feature; this path keeps working.
export { NotificationBell } from '@/features/notifications';
