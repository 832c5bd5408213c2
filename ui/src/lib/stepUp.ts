// Step-up: some mutations need a recent login (401 step_up_required). Every
// mutation runs as an Action, a plain description of the request (method,
// path template, parameters, body). When the server asks for a fresh login,
// the action is parked in sessionStorage and the browser goes to
// /auth/login?step_up=1 with a return address carrying ?resume=1; back in the
// app, useResumePendingAction runs the parked action once and says so.
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { ApiError, request, type Method, type Operation, type PathsWith, type RequestOptions, type ResultOf } from './api';
import { browser, currentPath, loginUrl } from './browser';
import { notify } from './notify';

export type MutatingMethod = Exclude<Method, 'get'>;

/** One mutation, described so it can be stored and replayed. */
export interface Action<R = unknown> {
  /** What kind of action this is (e.g. "token:create"), so a page can pick up a resumed result. */
  kind: string;
  /** Says what the action does, for notifications ("Invite ana@example.com"). */
  label: string;
  method: MutatingMethod;
  /** The OpenAPI path template, e.g. "/tenants/{tenant}/invitations". */
  path: string;
  options: { path?: Record<string, unknown>; body?: unknown; idempotencyKey?: string };
  /** Type of the success body; never set at run time. */
  readonly result?: R;
}

/** Builds an Action typed from the OpenAPI document. POSTs get an Idempotency-Key. */
export function action<M extends MutatingMethod, P extends PathsWith<M>>(
  method: M,
  path: P,
  options: Omit<RequestOptions<Operation<P, M>>, 'signal'>,
  meta: { kind: string; label: string },
): Action<ResultOf<P, M>> {
  const opts = { ...(options as Action['options']) };
  if (method === 'post' && !opts.idempotencyKey) opts.idempotencyKey = newIdempotencyKey();
  return { kind: meta.kind, label: meta.label, method, path, options: opts };
}

/** A fresh random Idempotency-Key (32 hex digits). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---- who is logged in (set by the identity feature when /me answers) ----

let identity: { userId?: string; loginHint?: string } = {};

/** Tells the step-up mechanism who is logged in: parked actions are only resumed for the same user. */
export function setStepUpIdentity(user: { id: string; email?: string } | undefined) {
  identity = user ? { userId: user.id, loginHint: user.email || undefined } : {};
}

// ---- the parked action ----

export const PENDING_KEY = 'pd.pendingAction';
/** A parked action older than this is dropped rather than run by surprise. */
export const PENDING_MAX_AGE_MS = 15 * 60 * 1000;

export interface PendingAction extends Action {
  userId?: string;
  createdAt: number;
}

function park(a: Action) {
  const pending: PendingAction = { ...a, userId: identity.userId, createdAt: Date.now() };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
}

/** Removes and returns the parked action, if any (so it can run once only). */
export function takePendingAction(): PendingAction | undefined {
  const raw = sessionStorage.getItem(PENDING_KEY);
  if (raw === null) return undefined;
  sessionStorage.removeItem(PENDING_KEY);
  try {
    const v = JSON.parse(raw) as PendingAction;
    if (typeof v?.method !== 'string' || typeof v?.path !== 'string' || typeof v?.createdAt !== 'number') return undefined;
    return v;
  } catch {
    return undefined;
  }
}

/** The address with resume=1 added, for the login to return to. */
function resumeAddress(from: string): string {
  const here = new URL(from, 'http://x');
  here.searchParams.set('resume', '1');
  return here.pathname + here.search;
}

/**
 * Runs an action. On 401 step_up_required (and allowStepUp, the default) the
 * action is parked and the browser leaves for the login; the returned promise
 * then never settles, so the button stays busy while the page goes away.
 */
export async function runAction<R>(a: Action<R>, options: { allowStepUp?: boolean; returnTo?: string } = {}): Promise<R> {
  const send = request as unknown as (m: string, p: string, o: Action['options']) => Promise<R>;
  try {
    return await send(a.method, a.path, a.options);
  } catch (e) {
    if (e instanceof ApiError && e.isStepUpRequired && options.allowStepUp !== false) {
      park(a);
      browser.assign(loginUrl(resumeAddress(options.returnTo ?? currentPath()), { stepUp: true, loginHint: identity.loginHint }));
      return new Promise<R>(() => {});
    }
    throw e;
  }
}

// ---- results of resumed actions, for the page that started them ----

let resumed: { kind: string; result: unknown } | undefined;
const listeners = new Set<() => void>();
function publish(v: typeof resumed) {
  resumed = v;
  listeners.forEach((l) => l());
}
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const getResumed = () => resumed;

/**
 * The result of a resumed action of `kind` (e.g. a created token's secret),
 * and a function to mark it handled.
 */
export function useResumedResult<R>(kind: string): [R | undefined, () => void] {
  const v = useSyncExternalStore(subscribe, getResumed, getResumed);
  const mine = v?.kind === kind ? (v.result as R) : undefined;
  return [mine, () => publish(undefined)];
}

/**
 * Runs the parked action once when the address carries resume=1 (put there
 * by runAction before the step-up login), then removes resume=1 from it.
 */
export function useResumePendingAction() {
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const resume = params.get('resume') === '1';
  useEffect(() => {
    if (!resume) return;
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        next.delete('resume');
        return next;
      },
      { replace: true },
    );
    const pending = takePendingAction();
    if (!pending) return;
    if (pending.userId && identity.userId && pending.userId !== identity.userId) {
      notify({ color: 'yellow', title: 'Action not resumed', message: `“${pending.label}” was started by another user and was dropped.` });
      return;
    }
    if (Date.now() - pending.createdAt > PENDING_MAX_AGE_MS) {
      notify({ color: 'yellow', title: 'Action not resumed', message: `“${pending.label}” was started too long ago; do it again if you still want it.` });
      return;
    }
    runAction(pending, { allowStepUp: false }).then(
      (result) => {
        publish({ kind: pending.kind, result });
        notify({ color: 'green', title: 'Sign-in confirmed', message: `Done: ${pending.label}.` });
        void queryClient.invalidateQueries();
      },
      (error: unknown) => {
        notify({ color: 'red', title: `Could not finish: ${pending.label}`, message: error instanceof Error ? error.message : String(error) });
      },
    );
  }, [resume, setParams, queryClient]);
}

/**
 * useMutation for an Action: runs it through runAction (so step-up is
 * handled) and refreshes the given queries after success.
 */
export function useApiMutation<V, R>(options: {
  action: (vars: V) => Action<R>;
  invalidate?: QueryKey[];
  onSuccess?: (result: R, vars: V) => void;
}) {
  const queryClient = useQueryClient();
  const location = useLocation();
  const here = location.pathname + location.search;
  return useMutation({
    mutationFn: (vars: V) => runAction(options.action(vars), { returnTo: here }),
    onSuccess: async (result, vars) => {
      await Promise.all((options.invalidate ?? []).map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      options.onSuccess?.(result, vars);
    },
  });
}
