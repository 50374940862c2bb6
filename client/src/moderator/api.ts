/**
 * Typed wrappers for the moderation API (shared/src/moderationApi.ts). Failures become
 * {@link ApiError}s; a 401 or 403 from any moderation or admin route is
 * reported to one handler, so the page shows the login or the refusal wherever it happens.
 */
import type {
  AuditEntry, FlagDetail, FlagStatus, FlagSummary, LiftSanctionResult, ModerationActionRequest, ModerationActionResult,
  PlayerExport, PlayerHistory,
} from '@pulse-arena/shared';
import { jsonRequester, type AuthFailureHandler } from '../console/http.js';

export { ApiError, authApi, errorMessage, isAbort } from '../console/http.js';

/** The list routes' documented page size. */
export const LIST_LIMIT = 100;

let authFailure: AuthFailureHandler = () => undefined;

export function onAuthFailure(handler: AuthFailureHandler): void {
  authFailure = handler;
}

const request = jsonRequester(() => authFailure);

const query = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  return q.toString();
};
const id = encodeURIComponent;

export const STREAM_URL = '/api/moderation/stream';

export const modApi = {
  flags: (status: FlagStatus | 'all', signal?: AbortSignal) =>
    request<FlagSummary[]>('GET', `/api/moderation/flags?${query({ status, limit: LIST_LIMIT })}`, undefined, signal),
  flag: (flagId: string, signal?: AbortSignal) => request<FlagDetail>('GET', `/api/moderation/flags/${id(flagId)}`, undefined, signal),
  claim: (flagId: string) => request<FlagSummary>('POST', `/api/moderation/flags/${id(flagId)}/claim`, {}),
  release: (flagId: string) => request<FlagSummary>('POST', `/api/moderation/flags/${id(flagId)}/release`, {}),
  act: (flagId: string, body: ModerationActionRequest) =>
    request<ModerationActionResult>('POST', `/api/moderation/flags/${id(flagId)}/actions`, body),
  player: (playerId: string, signal?: AbortSignal) =>
    request<PlayerHistory>('GET', `/api/moderation/players/${id(playerId)}`, undefined, signal),
  lift: (playerId: string, sanctionId: string, note: string) =>
    request<LiftSanctionResult>('POST', `/api/moderation/players/${id(playerId)}/sanctions/${id(sanctionId)}/lift`, { note }),
  audit: (filter: { playerId?: string; flagId?: string }, signal?: AbortSignal) =>
    request<AuditEntry[]>('GET', `/api/moderation/audit?${query({ limit: LIST_LIMIT, ...filter })}`, undefined, signal),
  exportPlayer: (playerId: string) => request<PlayerExport>('GET', `/api/admin/players/${id(playerId)}/export`),
  deletePlayer: (playerId: string) => request<void>('DELETE', `/api/admin/players/${id(playerId)}`),
};
