/**
 * The chat pipeline's policy bands, for a given toxicity: the model is replaced by a fixed
 * score (what is under test is the pipeline's decision, not the model's judgement). A line
 * that names an identity group is masked only at the model's identity threshold, and flagged
 * for review below it down to the general one; hold and block are the same for every line.
 */
import { describe, expect, it } from 'vitest';
import type { BehaviorScores, ChatScores, InferenceService, InferenceStatus } from '../../server/src/inference/types.js';
import { ChatPipeline, DEFAULT_CHAT_POLICY } from '../../server/src/moderation/chatPipeline.js';

/** An inference service whose chat model always answers `toxicity`. */
function scoring(toxicity: number): InferenceService {
  return {
    classifyBehavior: async (): Promise<BehaviorScores> => { throw new Error('not used'); },
    scoreChat: async (): Promise<ChatScores> => ({ sentiment: [1, 0, 0], toxicity, scored: true }),
    status: (): InferenceStatus => { throw new Error('not used'); },
    behaviorWaitMs: 0,
    close: async () => undefined,
  };
}

const policy = { ...DEFAULT_CHAT_POLICY, maskAt: 0.75, maskIdentityAt: 0.9, holdAt: 0.92, blockAt: 0.97 };

describe('chat policy', () => {
  it('masks a line that names an identity group only at the identity threshold', async () => {
    const at = async (toxicity: number, text: string) => (await new ChatPipeline(scoring(toxicity), policy).process(text)).decision;
    expect(await at(0.8, 'you are all trash')).toBe('mask');
    expect(await at(0.8, 'proud to be gay, love this community')).toBe('allow');
    expect(await at(0.8, 'happy diwali everyone')).toBe('allow');
    expect(await at(0.91, 'proud to be gay, love this community')).toBe('mask');
    // The group is found through the shared normalizer's folding (spacing, case, repeats).
    expect(await at(0.8, 'G A Y people are welcome here')).toBe('allow');
    expect(await at(0.74, 'you are all trash')).toBe('allow');
  });

  it('flags a line that names a group for review, unmasked, between the two mask thresholds', async () => {
    const review = await new ChatPipeline(scoring(0.8), policy).process('proud to be gay, love this community');
    expect(review).toMatchObject({ decision: 'allow', review: true, shown: 'proud to be gay, love this community' });
    expect(review.reason).toBe('for review: names a group, toxicity 0.80 ≥ 0.75 (masked from 0.9)');
    expect((await new ChatPipeline(scoring(0.74), policy).process('proud to be gay')).review).toBeUndefined();
    expect((await new ChatPipeline(scoring(0.8), policy).process('you are all trash')).review).toBeUndefined();
    expect((await new ChatPipeline(scoring(0.91), policy).process('proud to be gay')).review).toBeUndefined();
  });

  it('holds and blocks every line alike', async () => {
    for (const text of ['you are all trash', 'muslims ruin every game']) {
      expect((await new ChatPipeline(scoring(0.93), policy).process(text)).decision).toBe('hold');
      expect((await new ChatPipeline(scoring(0.98), policy).process(text)).decision).toBe('block');
    }
  });

  it('says which threshold masked the line', async () => {
    const r = await new ChatPipeline(scoring(0.91), policy).process('trans players, you are welcome here');
    expect(r.reason).toBe('masked: toxicity 0.91 ≥ 0.9');
    expect(r.shown).toMatch(/^[* ,]+$/);
  });
});
