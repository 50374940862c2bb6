/**
 * Typed wrappers for the designer API (shared/src/designerApi.ts). Failures are
 * {@link ApiError}s; a 401 or 403 on a designer route also goes to the one handler set with
 * {@link onAuthFailure}, so the page can show the login or the refusal wherever the session ran out.
 */
import type {
  ChatModelReviews, DryRunReport, DryRunRequest, LiveRoom, ModelStatusReport, PublishResponse, RecommendationOutcomes,
  RuleSet, RuleSetVersionDetail, RuleSetVersionSummary,
} from '@pulse-arena/shared';
import { authApi, jsonRequester, type AuthFailureHandler } from '../console/http.js';

export { ApiError, errorMessage, isAbort } from '../console/http.js';

let authFailure: AuthFailureHandler = () => undefined;

export function onAuthFailure(handler: AuthFailureHandler): void {
  authFailure = handler;
}

const request = jsonRequester(() => authFailure);
const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);
const post = <T>(path: string, body: unknown, signal?: AbortSignal) => request<T>('POST', path, body, signal);

export const api = {
  ...authApi,
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
  chatReviews: (since: Date, until: Date, signal: AbortSignal) =>
    get<ChatModelReviews>(`/api/designer/models/chat/reviews?since=${since.toISOString()}&until=${until.toISOString()}`, signal),
  outcomes: (since: Date, until: Date, signal: AbortSignal) =>
    get<RecommendationOutcomes>(`/api/designer/recommendations?since=${since.toISOString()}&until=${until.toISOString()}`, signal),
};
