/**
 * The chat pipeline, per message and in this order: personal data redacted (emails, phone
 * numbers, links as configured) — before anything is stored or shown; the shared
 * normalizer (confusables, spacing, repeated letters) for what the filters see; the
 * `obscenity` word filter for fast masking; the chat model's sentiment and toxicity; and
 * the policy: allow, mask, hold for review, or block. Rate limits, spam and mutes are the
 * room's (they need no text analysis) and run before this.
 */
import {
  RegExpMatcher, TextCensor, asteriskCensorStrategy, englishDataset, englishRecommendedTransformers,
} from 'obscenity';
import type { ChatDecision } from '@pulse-arena/shared';
import { normalizeChatText } from '@pulse-arena/shared/chat';
import { namesIdentityGroup } from '../../../models/src/chat/identity.js';
import type { ChatScores, InferenceService } from '../inference/types.js';

export interface ChatPolicy {
  /** Toxicity at or above which the message is shown fully masked (and flagged, low). */
  maskAt: number;
  /** The same for a message that names an identity group (the model's identity threshold). */
  maskIdentityAt: number;
  /** ...held for a moderator, not delivered until approved (flagged, high). */
  holdAt: number;
  /** ...refused, with a message to the sender (flagged, high; critical at ≥ 0.99). */
  blockAt: number;
  /** Links: delivered, replaced by "[link]", or the message refused. */
  links: 'allow' | 'redact' | 'block';
}

/**
 * Thresholds on the chat model's toxicity. `maskAt` and `maskIdentityAt` are the served
 * model's own toxic thresholds, for messages that do not and that do name an identity group
 * (picked together on validation: best F1 within the identity false-positive budget, see
 * models/chat/v4/MODEL_CARD.md; a test keeps them equal): above them a message is masked;
 * only confident calls are held or blocked, so a false positive costs a delay, not a ban.
 */
export const DEFAULT_CHAT_POLICY: ChatPolicy = { maskAt: 0.45, maskIdentityAt: 0.6, holdAt: 0.9, blockAt: 0.95, links: 'redact' };

export interface PipelineResult {
  decision: ChatDecision;
  /** What other players see (redacted, and masked when the policy says so). */
  shown: string;
  /** What is stored: redacted of personal data, otherwise as typed. */
  stored: string;
  scores: ChatScores;
  /** Words the filter matched (normalised form). */
  filterHits: string[];
  /** Kinds of personal data removed, e.g. ["email"]. */
  redacted: string[];
  /** Why, with the score and threshold: for the flag and the moderator. */
  reason: string;
  /**
   * Why, for the sender of a blocked or held line: plain words, without the score, so the
   * answer is no oracle for tuning an evasion just under the threshold. Absent where `reason`
   * says it plainly already (links).
   */
  toSender?: string;
  /**
   * Allowed, but flagged for a moderator: the line names an identity group and scored
   * between `maskAt` and `maskIdentityAt`, where the model is too unsure to mask it in public
   * but a human should see it.
   */
  review?: true;
}

/** What the sender of a line the model refused is told (see `toSender`). */
export const SENDER_REASON = {
  block: 'it reads as abuse; keep chat about the game',
  hold: 'it may be abusive',
} as const;

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
// 7+ digits with optional separators and country prefix: phone numbers, not scores ("wave 12") or times.
const PHONE = /(?<![\p{L}\p{N}])\+?\(?\d[\d\s().-]{5,}\d(?![\p{L}\p{N}])/gu;
const LINK = /\b(?:https?:\/\/|www\.)[^\s]+|\b[\p{L}\p{N}-]+\.(?:com|net|org|io|gg|ru|xyz|co|me|tv|ly)(?:\/[^\s]*)?\b/giu;

/** Replaces personal data with placeholders; returns the kinds removed. */
export function redactPersonalData(text: string, links: ChatPolicy['links']): { text: string; redacted: string[]; hasLink: boolean } {
  const redacted: string[] = [];
  let out = text.replace(EMAIL, () => { redacted.push('email'); return '[email]'; });
  out = out.replace(PHONE, (m) => {
    if ((m.match(/\d/g) ?? []).length < 7) return m;
    redacted.push('phone');
    return '[phone]';
  });
  let hasLink = false;
  out = out.replace(LINK, (m) => {
    hasLink = true;
    if (links !== 'redact') return m;
    redacted.push('link');
    return '[link]';
  });
  return { text: out, redacted: [...new Set(redacted)], hasLink };
}

export class ChatPipeline {
  private readonly matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  private readonly censor = new TextCensor().setStrategy(asteriskCensorStrategy());

  constructor(private readonly inference: InferenceService | null, readonly policy: ChatPolicy = DEFAULT_CHAT_POLICY) {}

  /** Runs every stage; never throws (a missing or failing model gives neutral, unscored answers). */
  async process(text: string): Promise<PipelineResult> {
    const { text: stored, redacted, hasLink } = redactPersonalData(text, this.policy.links);
    const matches = this.matcher.getAllMatches(stored, true);
    const hits = [...new Set(matches.map((m) => stored.slice(m.startIndex, m.endIndex + 1).toLowerCase()))];
    const normalized = normalizeChatText(stored);
    // A word hidden from the raw filter (f u c k, fück) still shows in the normalised text.
    if (hits.length === 0 && this.matcher.hasMatch(normalized)) hits.push(normalized.slice(0, 40));
    const scores: ChatScores = this.inference
      ? await this.inference.scoreChat(stored).catch(() => NEUTRAL)
      : NEUTRAL;
    const masked = matches.length ? this.censor.applyTo(stored, matches) : stored;
    const tox = scores.toxicity;
    const p = this.policy;
    if (hasLink && p.links === 'block') {
      return { decision: 'block', shown: '', stored, scores, filterHits: hits, redacted, reason: 'links are not allowed in chat' };
    }
    if (scores.scored && tox >= p.blockAt) {
      return { decision: 'block', shown: '', stored, scores, filterHits: hits, redacted, reason: `blocked: toxicity ${tox.toFixed(2)} ≥ ${p.blockAt}`, toSender: SENDER_REASON.block };
    }
    if (scores.scored && tox >= p.holdAt) {
      return { decision: 'hold', shown: masked, stored, scores, filterHits: hits, redacted, reason: `held for review: toxicity ${tox.toFixed(2)} ≥ ${p.holdAt}`, toSender: SENDER_REASON.hold };
    }
    const namesGroup = namesIdentityGroup(normalized);
    const maskAt = namesGroup ? p.maskIdentityAt : p.maskAt;
    if (scores.scored && tox >= maskAt) {
      return { decision: 'mask', shown: maskAll(stored), stored, scores, filterHits: hits, redacted, reason: `masked: toxicity ${tox.toFixed(2)} ≥ ${maskAt}` };
    }
    if (scores.scored && namesGroup && tox >= p.maskAt) {
      return {
        decision: 'allow', shown: masked, stored, scores, filterHits: hits, redacted, review: true,
        reason: `for review: names a group, toxicity ${tox.toFixed(2)} ≥ ${p.maskAt} (masked from ${p.maskIdentityAt})`,
      };
    }
    // Profanity that is not aimed at anyone ("fuck this lag") is masked, not flagged.
    return { decision: 'allow', shown: masked, stored, scores, filterHits: hits, redacted, reason: hits.length ? 'profanity masked' : '' };
  }
}

const NEUTRAL: ChatScores = { sentiment: [0, 1, 0], toxicity: 0, scored: false };

/** Every letter and digit masked; spaces and punctuation kept so the shape of the line shows. */
function maskAll(text: string): string {
  return text.replace(/[\p{L}\p{N}]/gu, '*');
}
