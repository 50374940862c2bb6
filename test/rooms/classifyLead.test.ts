/**
 * When a room classifies a player relative to its director second: far enough ahead for the
 * inference host's configured batch wait and the answer, within one classification period.
 */
import { describe, expect, it } from 'vitest';
import { TICK_MS } from '@pulse-arena/shared';
import { classifyLeadTicks } from '../../server/src/rooms/ArenaRoom.js';
import { INFERENCE_DEFAULTS } from '../../server/src/inference/host.js';

describe('classifyLeadTicks', () => {
  it('leads the director second by the batch wait plus the answer time', () => {
    expect(TICK_MS).toBe(50);
    expect(classifyLeadTicks(INFERENCE_DEFAULTS.maxWaitMs, 20)).toBe(6);
    expect(classifyLeadTicks(40, 20)).toBe(3);
    expect(classifyLeadTicks(0, 20)).toBe(2);
    expect(classifyLeadTicks(500, 20)).toBe(12);
  });

  it('stays within one classification period, whatever the wait', () => {
    expect(classifyLeadTicks(1000, 20)).toBe(19);
    expect(classifyLeadTicks(200, 10)).toBe(6);
    expect(classifyLeadTicks(600, 10)).toBe(9);
    // Classified every tick: any phase reads the latest answer.
    expect(classifyLeadTicks(200, 1)).toBe(1);
  });
});
