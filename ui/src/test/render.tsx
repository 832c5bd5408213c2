import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { AppProviders, createQueryClient } from '@/app/providers';
import { routes } from '@/app/routes';
import type { Meta, Schemas } from '@/lib/api';
import { AURORA_ID, BOREALIS_ID, directory, partnerDetail, partners, personas, roles } from './fixtures';

/** Renders the whole app (real routes, layout and providers) at `path`. */
export function renderApp(path = '/') {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const queryClient = createQueryClient();
  const view = render(
    <AppProviders queryClient={queryClient} env="test">
      <RouterProvider router={router} />
    </AppProviders>,
  );
  return { ...view, router, queryClient };
}

export function renderWithProviders(ui: ReactNode) {
  return render(
    <AppProviders queryClient={createQueryClient()} env="test">
      {ui}
    </AppProviders>,
  );
}

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
}

export function problemResponse(status: number, code: string, detail: string, errors?: { field: string; message: string }[]): Response {
  return new Response(JSON.stringify({ type: `https://partnerdesk.dev/problems/${code}`, title: 'Error', status, code, detail, errors, request_id: 'req-test' }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

/** One request the app sent, decoded. */
export interface SentRequest {
  method: string;
  /** Path and query, e.g. /api/v1/tenants/x/users */
  url: string;
  headers: Headers;
  body: unknown;
}

type Handler = (req: SentRequest) => Response | Promise<Response>;

/**
 * Answers the app's requests from `handlers`, keyed "METHOD /path" (path
 * without /api/v1, query ignored; the first match wins). /meta, /me (as
 * acquirer-admin unless `me` is given), /roles, /tenants, /partners and the two
 * partners' pages have defaults. Any other
 * request fails the test loudly. Returns the log of requests.
 */
export function stubApi(options: { me?: Schemas['Me'] | Handler; meta?: Meta; handlers?: Record<string, Handler> } = {}) {
  const sent: SentRequest[] = [];
  const me = options.me ?? personas.acquirerAdmin;
  const table: Record<string, Handler> = {
    'GET /meta': () => jsonResponse(options.meta ?? { version: '0.1.0-test', environment: 'dev', demo: true }),
    'GET /me': typeof me === 'function' ? me : () => jsonResponse(me),
    'GET /roles': () => jsonResponse(roles),
    'GET /notifications/preferences': () =>
      jsonResponse({ email_kinds: [], digest: false, kinds: ['dispute_reminder', 'dispute_escalation', 'onboarding_done', 'onboarding_failed', 'product_state', 'payout_arrived'] }),
    // Home with nothing on it (the home feature's tests answer their own).
    'GET /home': () => jsonResponse({ groups: [], tiles: [], top_partners: [], latest_payouts: [], net_payouts: [], expected_payouts: [], rate_limits: [], month: '2026-12-01', portal: false }),
    // The tenants the user can see, searched like the server does (q: name or slug contains, or the id).
    'GET /tenants': async (req) => {
      const who: Schemas['Me'] = typeof me === 'function' ? await (await me(req)).json() : me;
      const q = (new URL(req.url, 'http://localhost').searchParams.get('q') ?? '').toLowerCase();
      const visible = who.tenants.some((t) => t.all_partners) ? directory : directory.filter((d) => who.tenants.some((t) => t.id === d.id));
      const items = visible.filter((t) => !q || t.id === q || t.name.toLowerCase().includes(q) || t.slug.includes(q));
      return jsonResponse({ items });
    },
    // The partner directory as the server scopes it: acquirer roles see both partners, a merchant its own.
    'GET /partners': async (req) => {
      const who: Schemas['Me'] = typeof me === 'function' ? await (await me(req)).json() : me;
      const all = [partners.aurora, partners.borealis];
      return jsonResponse({ items: who.tenants.some((t) => t.all_partners) ? all : all.filter((p) => who.tenants.some((t) => t.id === p.tenant_id)), next_cursor: null });
    },
    [`GET /tenants/${AURORA_ID}/partner`]: () => jsonResponse(partnerDetail(partners.aurora)),
    [`GET /tenants/${BOREALIS_ID}/partner`]: () => jsonResponse(partnerDetail(partners.borealis)),
    [`GET /tenants/${AURORA_ID}/partner/readiness`]: () => jsonResponse({ items: [] }),
    [`GET /tenants/${BOREALIS_ID}/partner/readiness`]: () => jsonResponse({ items: [] }),
    // the header bell: no notifications unless a test says otherwise
    'GET /notifications': () => jsonResponse({ items: [], next_cursor: null, unread: 0 }),
    ...options.handlers,
  };
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(raw, 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const req: SentRequest = {
      method,
      url: url.pathname + url.search,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(req);
    const path = url.pathname.startsWith('/api/v1') ? url.pathname.slice('/api/v1'.length) : url.pathname;
    const handler = table[`${method} ${path}`];
    if (!handler) throw new Error(`unexpected request in test: ${method} ${url.pathname}${url.search}`);
    return handler(req);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { fetchMock, sent, table };
}

/** Answers GET /api/v1/meta with `meta` (and /me, /roles as acquirer-admin). */
export function stubMeta(meta: Meta = { version: '0.1.0-test', environment: 'dev', demo: true }) {
  return stubApi({ meta }).fetchMock;
}

/** Renders one component inside the providers and a router (for components that use router hooks). */
export function renderInRouter(ui: ReactNode) {
  const router = createMemoryRouter([{ path: '*', element: ui }]);
  return render(
    <AppProviders queryClient={createQueryClient()} env="test">
      <RouterProvider router={router} />
    </AppProviders>,
  );
}
