import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { setCsrfToken } from '@/lib/api';
import { clearNotices } from '@/lib/notify';
import { sessionState } from '@/lib/session';
import { setStepUpIdentity } from '@/lib/stepUp';

// jsdom lacks the browser APIs Mantine relies on. prefers-color-scheme answers
// from `window.__prefersDark`, so a test can pretend the system is in dark mode.
declare global {
  interface Window {
    __prefersDark?: boolean;
  }
}

function matchMedia(query: string): MediaQueryList {
  const matches = query.includes('prefers-color-scheme: dark') ? Boolean(window.__prefersDark) : false;
  return {
    matches,
    media: query,
    onchange: null,
    addListener: vi.fn(),
    removeListener: vi.fn(),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
    dispatchEvent: vi.fn(() => false),
  };
}

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}

Object.defineProperty(window, 'matchMedia', { writable: true, value: matchMedia });
Object.defineProperty(window, 'ResizeObserver', { writable: true, value: ResizeObserverStub });
Object.defineProperty(window, 'scrollTo', { writable: true, value: () => {} });
Object.defineProperty(window.HTMLElement.prototype, 'scrollIntoView', { writable: true, value: () => {} });

// Pages load their code lazily; on a busy 2-core machine that can take a second or more.
configure({ asyncUtilTimeout: 10_000 });

beforeEach(() => {
  window.__prefersDark = false;
  window.localStorage.clear();
  window.sessionStorage.clear();
  // Module-level state of the app's lib: every test starts on a fresh page.
  sessionState.reset();
  setCsrfToken(undefined);
  setStepUpIdentity(undefined);
  clearNotices();
  document.documentElement.removeAttribute('data-mantine-color-scheme');
  document.cookie.split(';').forEach((c) => {
    const name = c.split('=')[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  });
});

afterEach(() => {
  cleanup();
});
