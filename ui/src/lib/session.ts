// Whether this page has had a working session, and whether it has since
// ended. A 401 `unauthenticated` before any session is "please sign in"; the
// same answer after /me once succeeded is "your session has expired".
import { useSyncExternalStore } from 'react';
import { ApiError } from './api';

export interface SessionState {
  /** /me answered once during this page's life. */
  established: boolean;
  /** A later request answered 401 unauthenticated. */
  expired: boolean;
}

let state: SessionState = { established: false, expired: false };
const listeners = new Set<() => void>();

function set(next: SessionState) {
  if (next.established === state.established && next.expired === state.expired) return;
  state = next;
  listeners.forEach((l) => l());
}

export const sessionState = {
  get: (): SessionState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** /me answered: a session exists. */
  established() {
    set({ established: true, expired: false });
  },
  /** Back to the state of a freshly loaded page (tests, sign-out). */
  reset() {
    set({ established: false, expired: false });
  },
};

/**
 * Every failed query and mutation passes through here (the QueryClient's
 * caches call it): a 401 unauthenticated after the session was established
 * marks it expired.
 */
export function reportAuthError(error: unknown) {
  if (error instanceof ApiError && error.isUnauthenticated && state.established) {
    set({ established: true, expired: true });
  }
}

export function useSessionState(): SessionState {
  return useSyncExternalStore(sessionState.subscribe, sessionState.get, sessionState.get);
}
