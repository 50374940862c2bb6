import { describe, expect, it } from 'vitest';
import { countChanges, diffLines, hunks, type DiffLine } from '../../client/src/designer/diff.js';

/** Compact form: "  same", "- removed", "+ added". */
const show = (lines: DiffLine[]) => lines.map((l) => `${l.kind === 'same' ? ' ' : l.kind === 'add' ? '+' : '-'} ${l.text}`);

describe('diffLines', () => {
  it('finds nothing to change in equal texts', () => {
    const lines = diffLines(['a', 'b', 'c'], ['a', 'b', 'c']);
    expect(show(lines)).toEqual(['  a', '  b', '  c']);
    expect(countChanges(lines)).toEqual({ added: 0, removed: 0 });
  });

  it('handles empty sides', () => {
    expect(diffLines([], [])).toEqual([]);
    expect(show(diffLines([], ['x', 'y']))).toEqual(['+ x', '+ y']);
    expect(show(diffLines(['x', 'y'], []))).toEqual(['- x', '- y']);
  });

  it('shows a changed line as removed then added, with line numbers on both sides', () => {
    const lines = diffLines(['{', '  "cooldownSeconds": 30,', '  "priority": 1', '}'], ['{', '  "cooldownSeconds": 45,', '  "priority": 1', '}']);
    expect(show(lines)).toEqual(['  {', '-   "cooldownSeconds": 30,', '+   "cooldownSeconds": 45,', '    "priority": 1', '  }']);
    expect(lines[1]).toEqual({ kind: 'del', text: '  "cooldownSeconds": 30,', oldLine: 2 });
    expect(lines[2]).toEqual({ kind: 'add', text: '  "cooldownSeconds": 45,', newLine: 2 });
    expect(lines[3]).toEqual({ kind: 'same', text: '  "priority": 1', oldLine: 3, newLine: 3 });
  });

  it('keeps the longest common subsequence when lines move and repeat', () => {
    const a = ['a', 'b', 'c', 'a', 'b', 'b', 'a'];
    const b = ['c', 'b', 'a', 'b', 'a', 'c'];
    const lines = diffLines(a, b);
    // The LCS of these classic sequences has length 4.
    expect(lines.filter((l) => l.kind === 'same')).toHaveLength(4);
    // Replaying the diff rebuilds both texts.
    expect(lines.filter((l) => l.kind !== 'add').map((l) => l.text)).toEqual(a);
    expect(lines.filter((l) => l.kind !== 'del').map((l) => l.text)).toEqual(b);
  });

  it('diffs an inserted rule in a pretty-printed rule set', () => {
    const rule = (id: string) => [`    {`, `      "id": "${id}",`, `      "when": { "input": "stats.hp", "op": "<", "value": 30 }`, `    }`];
    const before = ['{', '  "rules": [', ...rule('low-hp'), '  ]', '}'];
    const after = ['{', '  "rules": [', ...rule('low-hp').map((l, i) => (i === 3 ? '    },' : l)), ...rule('new-one'), '  ]', '}'];
    const lines = diffLines(before, after);
    // Minimal: the old closing brace matches the new rule's, so nothing is removed.
    expect(countChanges(lines)).toEqual({ added: 4, removed: 0 });
    expect(show(lines).filter((l) => !l.startsWith(' '))).toEqual([
      '+     },', '+     {', '+       "id": "new-one",', '+       "when": { "input": "stats.hp", "op": "<", "value": 30 }',
    ]);
    expect(lines.filter((l) => l.kind !== 'add').map((l) => l.text)).toEqual(before);
    expect(lines.filter((l) => l.kind !== 'del').map((l) => l.text)).toEqual(after);
  });
});

describe('hunks', () => {
  it('keeps context around changes and folds long unchanged runs', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const b = a.map((l, i) => (i === 9 ? 'changed' : l));
    const out = hunks(diffLines(a, b), 2);
    expect(out.map((l) => (l.kind === 'gap' ? `… ${l.count}` : `${l.kind} ${l.text}`))).toEqual([
      '… 7', 'same line 8', 'same line 9', 'del line 10', 'add changed', 'same line 11', 'same line 12', '… 8',
    ]);
  });

  it('folds everything when nothing changed', () => {
    expect(hunks(diffLines(['a', 'b'], ['a', 'b']))).toEqual([{ kind: 'gap', count: 2 }]);
  });

  it('merges the context of nearby changes into one hunk', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8'];
    const b = ['1', 'x', '3', '4', '5', 'y', '7', '8'];
    const out = hunks(diffLines(a, b), 2);
    expect(out.some((l) => l.kind === 'gap')).toBe(false);
    expect(out).toHaveLength(10);
  });
});
