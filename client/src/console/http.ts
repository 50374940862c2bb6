/**
 * What both staff consoles (designer, moderator) need to talk to the server: JSON requests
 * with the session cookie, one error type carrying the status and the server's
 * `{error, errors}`, the session routes, and one place that hears about a 401 or 403 so a
 * page can show the login or the refusal wherever the session ran out.
 */
import type { LoginRequest, LoginResponse, RuleError, SessionInfo } from '@pulse-arena/shared';

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

/** A poll or a report the page no longer wants; not worth showing. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type JsonRequest = <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal) => Promise<T>;

/**
 * A JSON request function whose 401/403 answers (outside the session routes, which answer
 * 401 as part of their job) go to `onAuthFailure()`.
 * @throws ApiError for any non-2xx answer or an unreachable server.
 */
export function jsonRequester(onAuthFailure: () => AuthFailureHandler): JsonRequest {
  return async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> => {
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
    if ((res.status === 401 || res.status === 403) && !path.startsWith('/api/auth/')) onAuthFailure()(res.status, message);
    throw new ApiError(res.status, message, Array.isArray(errors) ? errors as RuleError[] : []);
  };
}

const sessionRequest = jsonRequester(() => () => undefined);

export const authApi = {
  me: () => sessionRequest<SessionInfo>('GET', '/api/auth/me'),
  login: (body: LoginRequest) => sessionRequest<LoginResponse>('POST', '/api/auth/login', body),
  logout: () => sessionRequest<void>('POST', '/api/auth/logout', {}),
};
