import { describe, expect, it } from 'vitest';
import { flagsCoveredBy, type FlagSummary } from '@pulse-arena/shared';

type F = Pick<FlagSummary, 'id' | 'kind' | 'status' | 'assignee' | 'playerId'>;
const flag = (id: string, kind: F['kind'], status: F['status'] = 'open', assignee: string | null = null, playerId = 'p1'): F =>
  ({ id, kind, status, assignee, playerId });

describe('flagsCoveredBy: what a sanction resolves along with the flag it was taken on', () => {
  const acted = flag('a', 'chat', 'claimed', 'mia');
  const others = [
    acted, flag('chat', 'chat'), flag('report', 'report'), flag('cheat', 'behavior'),
    flag('mine', 'chat', 'claimed', 'mia'), flag('theirs', 'chat', 'claimed', 'ann'), flag('escalated', 'chat', 'escalated'),
    flag('done', 'chat', 'resolved', 'mia'), flag('someone-else', 'chat', 'open', null, 'p2'),
  ];
  const ids = (action: Parameters<typeof flagsCoveredBy>[0]) => flagsCoveredBy(action, acted, 'mia', others).map((f) => f.id);

  it('a warning or mute answers what the player wrote, a ban everything', () => {
    expect(ids('mute')).toEqual(['chat', 'report', 'mine']);
    expect(ids('warn')).toEqual(['chat', 'report', 'mine']);
    expect(ids('ban')).toEqual(['chat', 'report', 'cheat', 'mine']);
  });

  it('resolves nothing along with a dismissal, an approval or an escalation', () => {
    for (const action of ['dismiss', 'approve', 'escalate'] as const) expect(ids(action)).toEqual([]);
  });
});
