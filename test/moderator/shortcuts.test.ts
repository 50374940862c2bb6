import { describe, expect, it } from 'vitest';
import { COMMANDS, SHORTCUTS, commandFor, type KeyPress } from '../../client/src/moderator/shortcuts.js';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('shortcut mapping', () => {
  it('maps the documented keys', () => {
    const expected: Record<string, string> = {
      j: 'next', ArrowDown: 'next', k: 'prev', ArrowUp: 'prev', c: 'claim', d: 'dismiss', a: 'approve', w: 'warn',
      m: 'mute', b: 'ban', e: 'escalate', Enter: 'confirm', Escape: 'cancel', '?': 'help',
    };
    for (const [key, command] of Object.entries(expected)) expect(commandFor(press(key), 'none'), key).toBe(command);
    expect(commandFor(press('M'), 'none')).toBe('mute'); // caps lock
    expect(commandFor(press('x'), 'none')).toBeNull();
    expect(commandFor(press('Tab'), 'none')).toBeNull();
  });

  it('never acts on keys typed into a field, except Escape', () => {
    for (const key of ['j', 'd', 'b', 'm', 'Enter', '?', 'ArrowDown']) expect(commandFor(press(key), 'typing'), key).toBeNull();
    expect(commandFor(press('Escape'), 'typing')).toBe('cancel');
  });

  it('leaves Enter to a focused button, but letters still work there', () => {
    expect(commandFor(press('Enter'), 'control')).toBeNull();
    expect(commandFor(press('d'), 'control')).toBe('dismiss');
  });

  it('leaves browser shortcuts alone', () => {
    expect(commandFor(press('c', { ctrlKey: true }), 'none')).toBeNull();
    expect(commandFor(press('b', { metaKey: true }), 'none')).toBeNull();
    expect(commandFor(press('e', { altKey: true }), 'none')).toBeNull();
  });

  it('lists every command in the help exactly once, with no key used twice', () => {
    expect(SHORTCUTS.map((s) => s.command).sort()).toEqual([...COMMANDS].sort());
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
