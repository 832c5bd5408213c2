import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { api, ApiError, CSRF_HEADER, readCookie, request, type Meta } from './api';

function problem(body: object, status: number, extraHeaders: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', ...extraHeaders },
  });
}

function stubFetch(response: Response | (() => never)) {
  const fn = vi.fn(async () => (typeof response === 'function' ? response() : response));
  vi.stubGlobal('fetch', fn);
  return fn;
}

function sent(fn: ReturnType<typeof stubFetch>): { url: string; init: RequestInit; headers: Headers } {
  const call = fn.mock.calls[0] as unknown as [string, RequestInit];
  return { url: call[0], init: call[1], headers: new Headers(call[1].headers) };
}

describe('api', () => {
  it('returns the decoded body of a successful GET, same-origin, without a CSRF header', async () => {
    document.cookie = 'pd_csrf=tok-1; path=/';
    const fn = stubFetch(
      new Response(JSON.stringify({ version: '1.0.0', environment: 'dev', demo: true }), {
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    const meta = await api.get('/meta');
    expect(meta).toEqual({ version: '1.0.0', environment: 'dev', demo: true });
    const { url, init, headers } = sent(fn);
    expect(url).toBe('/api/v1/meta');
    expect(init.method).toBe('GET');
    expect(init.credentials).toBe('same-origin');
    expect(headers.has(CSRF_HEADER)).toBe(false);
  });

  it('turns a problem+json answer into an ApiError with the field errors', async () => {
    stubFetch(
      problem(
        {
          type: 'https://partnerdesk.dev/problems/invalid',
          title: 'Invalid request',
          status: 422,
          code: 'invalid',
          request_id: 'req-7',
          errors: [
            { field: 'legal_name', message: 'is required' },
            { field: 'country', message: 'must be an ISO 3166-1 alpha-2 code' },
          ],
        },
        422,
      ),
    );
    const error = await api.get('/meta').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    expect(e.status).toBe(422);
    expect(e.code).toBe('invalid');
    expect(e.requestId).toBe('req-7');
    expect(e.fieldErrors).toEqual([
      { field: 'legal_name', message: 'is required' },
      { field: 'country', message: 'must be an ISO 3166-1 alpha-2 code' },
    ]);
    expect(e.fieldError('country')).toBe('must be an ISO 3166-1 alpha-2 code');
    expect(e.fieldError('city')).toBeUndefined();
    expect(e.message).toBe('Invalid request: legal_name is required; country must be an ISO 3166-1 alpha-2 code');
  });

  it('uses the problem detail as the message when there is one', async () => {
    stubFetch(problem({ type: 'about:blank', title: 'Not found', status: 404, detail: 'No partner with id p_1.', code: 'not_found' }, 404));
    await expect(api.get('/meta')).rejects.toMatchObject({ message: 'No partner with id p_1.', status: 404, fieldErrors: [] });
  });

  it('gives a readable message when the error answer is not problem+json', async () => {
    stubFetch(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'req-9' } }));
    await expect(api.get('/meta')).rejects.toMatchObject({
      message: 'The server answered 502 Bad Gateway',
      status: 502,
      requestId: 'req-9',
    });
  });

  it('reports an unreachable server as a network ApiError', async () => {
    stubFetch(() => {
      throw new TypeError('Failed to fetch');
    });
    const e = (await api.get('/meta').catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.isNetworkError).toBe(true);
    expect(e.message).toMatch(/Could not reach the Partner Desk server/);
  });

  it('sends the pd_csrf cookie as X-CSRF-Token, a JSON body and the idempotency key on mutations', async () => {
    document.cookie = 'other=1; path=/';
    document.cookie = 'pd_csrf=abc%3D123; path=/';
    const fn = stubFetch(new Response(null, { status: 204 }));
    // No mutating operation exists in the API document yet; call the untyped core the shorthands share.
    const result = await (request as (m: string, p: string, o: object) => Promise<unknown>)('post', '/partners/{id}/notes', {
      path: { id: 'p 1' },
      body: { text: 'hello' },
      idempotencyKey: 'idem-1',
    });
    expect(result).toBeUndefined();
    const { url, init, headers } = sent(fn);
    expect(url).toBe('/api/v1/partners/p%201/notes');
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"text":"hello"}');
    expect(headers.get(CSRF_HEADER)).toBe('abc=123');
    expect(headers.get('Content-Type')).toBe('application/json');
    expect(headers.get('Idempotency-Key')).toBe('idem-1');
  });

  it('adds query parameters, skipping empty ones', async () => {
    const fn = stubFetch(new Response('{}', { headers: { 'Content-Type': 'application/json' } }));
    await (request as (m: string, p: string, o: object) => Promise<unknown>)('get', '/disputes', {
      query: { state: ['open', 'won'], cursor: undefined, limit: 50 },
    });
    expect(sent(fn).url).toBe('/api/v1/disputes?state=open&state=won&limit=50');
  });
});

describe('api types (checked by tsc in npm run lint)', () => {
  it('types results from the OpenAPI document and rejects unknown paths', () => {
    stubFetch(new Response('{}', { headers: { 'Content-Type': 'application/json' } }));
    expectTypeOf(api.get('/meta')).resolves.toEqualTypeOf<Meta>();
    // @ts-expect-error '/no-such-path' is not a path of the API document
    expectTypeOf(api.get).toBeCallableWith('/no-such-path');
  });
});

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    document.cookie = 'a=1; path=/';
    document.cookie = 'pd_csrf=x%20y; path=/';
    expect(readCookie('pd_csrf')).toBe('x y');
    expect(readCookie('missing')).toBeUndefined();
  });
});
