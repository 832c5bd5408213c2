// Typed search parameters: a view's filters and sort kept in the address, so a view can be shared,
// bookmarked and walked with back/forward. Other parameters (the tenant switcher's `tenant`, …) are
// left as they are.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

/** One parameter: free text, or one of a fixed set of values (anything else in the address is ignored). */
export type ParamKind = 'text' | readonly string[];
export type ParamSpec = Readonly<Record<string, ParamKind>>;

/** The values a spec describes; an absent parameter is undefined. */
export type UrlValues<S extends ParamSpec> = {
  [K in keyof S]?: S[K] extends readonly (infer E extends string)[] ? E : string;
};

/** Reads the spec's parameters from `params` (trimmed; empty and unknown values dropped). */
export function readParams<S extends ParamSpec>(spec: S, params: URLSearchParams): UrlValues<S> {
  const out: Record<string, string> = {};
  for (const [key, kind] of Object.entries(spec)) {
    const v = params.get(key)?.trim();
    if (!v) continue;
    if (kind === 'text' || kind.includes(v)) out[key] = v;
  }
  return out as UrlValues<S>;
}

/** A copy of `params` with the spec's parameters set to `values` (absent or empty ones removed). */
export function writeParams<S extends ParamSpec>(spec: S, values: UrlValues<S>, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of Object.keys(spec)) {
    const v = (values as Record<string, string | undefined>)[key]?.trim();
    if (v) next.set(key, v);
    else next.delete(key);
  }
  return next;
}

/** True when any of the values is set. */
export function hasValues(values: Readonly<Record<string, string | undefined>>): boolean {
  return Object.values(values).some(Boolean);
}

/**
 * The spec's parameters of the current address, and a setter. `set(values)` replaces all of
 * them (a new history entry: back returns to the previous view); `patch` changes some, keeping
 * the rest.
 */
export function useUrlState<S extends ParamSpec>(spec: S) {
  const [params, setParams] = useSearchParams();
  const key = Object.keys(spec)
    .map((k) => `${k}=${params.get(k) ?? ''}`)
    .join('&');
  // Stable while the spec's parameters are unchanged, so it can sit in a query key.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const values = useMemo(() => readParams(spec, params), [key]);
  const set = useCallback((next: UrlValues<S>) => setParams((p) => writeParams(spec, next, p)), [spec, setParams]);
  const patch = useCallback(
    (change: UrlValues<S>) => setParams((p) => writeParams(spec, { ...readParams(spec, p), ...change }, p)),
    [spec, setParams],
  );
  return { values, set, patch, key };
}

/** A sort as the API takes it: `field` ascending, `-field` descending. */
export interface Sort {
  id: string;
  desc: boolean;
}

export function parseSort(value: string | undefined): Sort | undefined {
  if (!value) return undefined;
  return value.startsWith('-') ? { id: value.slice(1), desc: true } : { id: value, desc: false };
}

export function formatSort(sort: Sort | undefined): string | undefined {
  return sort ? `${sort.desc ? '-' : ''}${sort.id}` : undefined;
}

/** The address's query string for `values` (for links such as a CSV export), with a leading "?" or empty. */
export function queryString(values: Readonly<Record<string, string | undefined>>): string {
  const qs = new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => Boolean(e[1]?.trim()))).toString();
  return qs ? `?${qs}` : '';
}
