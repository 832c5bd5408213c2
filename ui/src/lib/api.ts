// The one way the UI talks to the Partner Desk API (/api/v1).
//
// - Paths, bodies and results are typed from the OpenAPI document
//   (src/lib/api/schema.d.ts, regenerated with `npm run gen`).
// - Error answers are RFC 9457 problem details (application/problem+json);
//   they become an ApiError with a readable message and the field errors.
// - Cookies travel same-origin only; mutating requests carry the CSRF token
//   the server set in the `pd_csrf` cookie as `X-CSRF-Token`.
import type { components, paths } from './api/schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type FieldError = Schemas['FieldError'];
export type Meta = Schemas['Meta'];

export const API_BASE = '/api/v1';
export const CSRF_COOKIE = 'pd_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** Problem codes the UI reacts to. */
export const UNAUTHENTICATED = 'unauthenticated';
export const STEP_UP_REQUIRED = 'step_up_required';

// The session's CSRF token as reported by GET /me. It is preferred over the
// cookie: the cookie may be stale (another tab logged in again) or absent.
let csrfToken: string | undefined;

/** Remembers the CSRF token from /me for the mutations that follow. */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token || undefined;
}

/** The token mutations send: /me's, else the pd_csrf cookie's. */
export function currentCsrfToken(): string | undefined {
  return csrfToken ?? readCookie(CSRF_COOKIE);
}

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const MUTATING: ReadonlySet<Method> = new Set(['post', 'put', 'patch', 'delete']);

/** An error the API answered (status > 0) or a request that never got an answer (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly type: string;
  readonly fieldErrors: FieldError[];

  constructor(problem: Problem, options?: { cause?: unknown }) {
    super(readableMessage(problem), options);
    this.name = 'ApiError';
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.code = problem.code;
    this.requestId = problem.request_id;
    this.type = problem.type;
    this.fieldErrors = problem.errors ?? [];
  }

  /** The message for one form field, if the server reported one. */
  fieldError(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }

  /**
   * The message for a form field, also when the server named one element of
   * it (`roles[1]`) or a part (`address.city`).
   */
  fieldErrorFor(field: string): string | undefined {
    return (
      this.fieldError(field) ??
      this.fieldErrors.find((e) => e.field.startsWith(`${field}[`) || e.field.startsWith(`${field}.`))?.message
    );
  }

  /** Not logged in, or the session ended (401 unauthenticated). */
  get isUnauthenticated(): boolean {
    return this.status === 401 && this.code !== STEP_UP_REQUIRED;
  }

  /** The action needs a recent login (401 step_up_required). */
  get isStepUpRequired(): boolean {
    return this.status === 401 && this.code === STEP_UP_REQUIRED;
  }

  /** True when the request never reached the server (offline, DNS, CORS, aborted). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

function readableMessage(p: Problem): string {
  const head = p.detail?.trim() || p.title?.trim() || `Request failed with status ${p.status}`;
  const fields = p.errors ?? [];
  if (fields.length === 0 || p.detail) return head;
  return `${head}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`;
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.title === 'string' && typeof v.status === 'number';
}

/** Reads one cookie by name from document.cookie. */
export function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

// ---- types derived from the OpenAPI paths ----

export type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** API paths that have an operation for method M. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends undefined | never ? never : P;
}[keyof paths];

type SuccessStatus = 200 | 201 | 202 | 204;
type Responses<O> = O extends { responses: infer R } ? R : never;
type JsonContent<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;

/** The decoded body of the operation's success response. */
export type ResultOf<P extends keyof paths, M extends Method> = JsonContent<
  Responses<Operation<P, M>>[Extract<keyof Responses<Operation<P, M>>, SuccessStatus>]
>;

type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type PathParamsOf<O> = O extends { parameters: { path?: infer Pp } } ? Pp : never;
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? Q : never;

export interface RequestOptions<O> {
  /** Values for `{name}` segments of the path. */
  path?: PathParamsOf<O> extends never | undefined ? never : PathParamsOf<O>;
  query?: QueryOf<O> extends never | undefined ? never : QueryOf<O>;
  body?: BodyOf<O>;
  /** A body that is not JSON (an uploaded CSV): sent as is with its content type. */
  raw?: { type: string; body: string | Blob };
  /** Idempotency-Key for mutations the user might retry. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

function buildUrl(template: string, pathParams?: object, query?: object): string {
  let url = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = (pathParams as Record<string, unknown> | undefined)?.[name];
    if (value === undefined || value === null) throw new Error(`api: missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
  if (query) {
    const qs = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) value.forEach((v) => qs.append(key, String(v)));
      else qs.append(key, String(value));
    }
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  return API_BASE + url;
}

async function errorFromResponse(res: Response): Promise<ApiError> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body: unknown = await res.json();
      if (isProblem(body)) return new ApiError({ ...body, status: body.status || res.status });
    } catch {
      // fall through to the generic message
    }
  }
  const statusText = res.statusText ? ` ${res.statusText}` : '';
  return new ApiError({
    type: 'about:blank',
    title: `The server answered ${res.status}${statusText}`,
    status: res.status,
    request_id: res.headers.get('x-request-id') ?? undefined,
  });
}

/** Sends one request to the API and returns the decoded success body. */
export async function request<P extends keyof paths, M extends Method>(
  method: M,
  path: P,
  options: RequestOptions<Operation<P, M>> = {},
): Promise<ResultOf<P, M>> {
  const headers = new Headers({ Accept: 'application/json, application/problem+json' });
  let body: string | undefined;
  let raw: string | Blob | undefined;
  if (options.body !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(options.body);
  } else if (options.raw) {
    headers.set('Content-Type', options.raw.type);
    raw = options.raw.body;
  }
  if (MUTATING.has(method)) {
    const token = currentCsrfToken();
    if (token) headers.set(CSRF_HEADER, token);
    if (options.idempotencyKey) headers.set('Idempotency-Key', options.idempotencyKey);
  }

  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.path, options.query), {
      method: method.toUpperCase(),
      headers,
      body: body ?? raw,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(
      {
        type: 'about:blank',
        title: 'Could not reach the Partner Desk server. Check your connection and try again.',
        status: 0,
        code: 'network',
      },
      { cause },
    );
  }

  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204 || res.headers.get('content-length') === '0') return undefined as ResultOf<P, M>;
  // An empty body (e.g. 202 Accepted with nothing to say) is no result, not a JSON error.
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as ResultOf<P, M>;
}

/**
 * Ends the browser session (POST /auth/logout, outside /api/v1) and returns
 * where the browser should go next (the IdP's end-session page or /).
 */
export async function logout(): Promise<{ redirect: string }> {
  const headers = new Headers({ Accept: 'application/json, application/problem+json' });
  const token = currentCsrfToken();
  if (token) headers.set(CSRF_HEADER, token);
  let res: Response;
  try {
    res = await fetch('/auth/logout', { method: 'POST', headers, credentials: 'same-origin' });
  } catch (cause) {
    throw new ApiError({ type: 'about:blank', title: 'Could not reach the Partner Desk server to sign out.', status: 0, code: 'network' }, { cause });
  }
  if (!res.ok) throw await errorFromResponse(res);
  const body = (await res.json()) as { redirect?: unknown };
  return { redirect: typeof body.redirect === 'string' && body.redirect ? body.redirect : '/' };
}

/** Shorthands: api.get('/meta'), api.post('/partners', { body }), … */
export const api = {
  get: <P extends PathsWith<'get'>>(path: P, options?: RequestOptions<Operation<P, 'get'>>) =>
    request('get', path, options),
  post: <P extends PathsWith<'post'>>(path: P, options?: RequestOptions<Operation<P, 'post'>>) =>
    request('post', path, options),
  put: <P extends PathsWith<'put'>>(path: P, options?: RequestOptions<Operation<P, 'put'>>) =>
    request('put', path, options),
  patch: <P extends PathsWith<'patch'>>(path: P, options?: RequestOptions<Operation<P, 'patch'>>) =>
    request('patch', path, options),
  delete: <P extends PathsWith<'delete'>>(path: P, options?: RequestOptions<Operation<P, 'delete'>>) =>
    request('delete', path, options),
};
