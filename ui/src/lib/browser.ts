// Full-page navigations (to the login endpoints and the IdP) go through here,
// so tests can observe them instead of jsdom refusing to navigate.
export const browser = {
  /** Leaves the SPA for `url` (a server route such as /auth/login). */
  assign(url: string): void {
    window.location.assign(url);
  },
};

/** The current SPA address (path + query), e.g. "/settings/users?tenant=aurora". */
export function currentPath(): string {
  return window.location.pathname + window.location.search;
}

/** The login endpoint's address for a return path; `stepUp` asks for a fresh login. */
export function loginUrl(returnTo: string, options: { stepUp?: boolean; loginHint?: string } = {}): string {
  const qs = new URLSearchParams();
  if (options.stepUp) qs.set('step_up', '1');
  if (options.loginHint) qs.set('login_hint', options.loginHint);
  qs.set('return_to', safeReturnPath(returnTo));
  return `/auth/login?${qs.toString()}`;
}

/** Keeps only same-site paths; anything else returns to the start page. */
export function safeReturnPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\r\n]/.test(raw)) return '/';
  // Never come back to the login screen itself: that would loop.
  if (raw === '/login' || raw.startsWith('/login?') || raw.startsWith('/login/')) return '/';
  return raw;
}
