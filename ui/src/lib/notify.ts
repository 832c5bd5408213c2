// A tiny notification queue: lib and features push, one component in the
// layout shows them (src/components/Notifications.tsx).
import { useSyncExternalStore } from 'react';

export type NoticeColor = 'green' | 'red' | 'blue' | 'yellow';

export interface Notice {
  id: number;
  title: string;
  message?: string;
  color: NoticeColor;
}

let notices: readonly Notice[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(next: readonly Notice[]) {
  notices = next;
  listeners.forEach((l) => l());
}

/** Shows a notification; errors stay until dismissed, others go after `autoCloseMs`. */
export function notify(n: { title: string; message?: string; color?: NoticeColor; autoCloseMs?: number }): number {
  const id = nextId++;
  const color = n.color ?? 'blue';
  emit([...notices, { id, title: n.title, message: n.message, color }]);
  const autoClose = n.autoCloseMs ?? (color === 'red' ? 0 : 8000);
  if (autoClose > 0) setTimeout(() => dismiss(id), autoClose);
  return id;
}

export function dismiss(id: number) {
  if (notices.some((n) => n.id === id)) emit(notices.filter((n) => n.id !== id));
}

export function clearNotices() {
  emit([]);
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const get = () => notices;

export function useNotices(): readonly Notice[] {
  return useSyncExternalStore(subscribe, get, get);
}
