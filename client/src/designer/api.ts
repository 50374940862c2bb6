/**
 * Typed wrappers for the designer API (shared/src/designerApi.ts). Every failure becomes an
 * {@link ApiError} carrying the status and the server's `{error, errors}`; a 401 or 403 on a
 * designer route is also reported to one handler, so the page can show the login or the
 * refusal wherever the session ran out.
 */
import type {
  DryRunReport, DryRunRequest, LiveRoom, LoginRequest, LoginResponse, ModelStatusReport, PublishResponse,
  RuleError, RuleSet, RuleSetVersionDetail, RuleSetVersionSummary, SessionInfo,
} from '@pulse-arena/shared';

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    message: string,
    /** Rule-set validation errors (400 on publish). */
    readonly errors: RuleError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type AuthFailureHandler = (status: 401 | 403, message: string) => void;
let authFailure: AuthFailureHandler = () => undefined;

export function onAuthFailure(handler: AuthFailureHandler): void {
  authFailure = handler;
}

/** A poll or a report the page no longer wants; not worth showing. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, 'Cannot reach the server');
  }
  if (res.status === 204) return undefined as T;
  const payload: unknown = await res.json().catch(() => null);
  if (res.ok) return payload as T;
  const { error, errors } = (payload ?? {}) as { error?: unknown; errors?: unknown };
  const message = typeof error === 'string' && error ? error : `${res.status} ${res.statusText}`;
  // Login and "who am I" answer 401 as part of their job; elsewhere it means the session ended.
  if ((res.status === 401 || res.status === 403) && !path.startsWith('/api/auth/')) authFailure(res.status, message);
  throw new ApiError(res.status, message, Array.isArray(errors) ? errors as RuleError[] : []);
}

const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);
const post = <T>(path: string, body: unknown, signal?: AbortSignal) => request<T>('POST', path, body, signal);

export const api = {
  me: () => get<SessionInfo>('/api/auth/me'),
  login: (body: LoginRequest) => post<LoginResponse>('/api/auth/login', body),
  logout: () => post<void>('/api/auth/logout', {}),
  versions: () => get<RuleSetVersionSummary[]>('/api/designer/rulesets'),
  liveVersion: () => get<RuleSetVersionDetail>('/api/designer/rulesets/live'),
  version: (version: number) => get<RuleSetVersionDetail>(`/api/designer/rulesets/${version}`),
  publish: (ruleSet: RuleSet, note: string) =>
    post<PublishResponse>('/api/designer/rulesets', { ruleSet, ...(note && { note }) }),
  republish: (version: number, note: string) =>
    post<PublishResponse>(`/api/designer/rulesets/${version}/publish`, note ? { note } : {}),
  dryRun: (body: DryRunRequest, signal: AbortSignal) => post<DryRunReport>('/api/designer/dry-run', body, signal),
  live: (signal: AbortSignal) => get<LiveRoom[]>('/api/designer/live', signal),
  models: (signal: AbortSignal) => get<ModelStatusReport>('/api/designer/models', signal),
};
