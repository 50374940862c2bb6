/**
 * Keyboard shortcuts of the queue. The mapping is pure (tested); the listener ignores keys
 * typed into a field, so a note can contain "d" and "b" without dismissing or banning.
 */
export const COMMANDS = [
  'next', 'prev', 'claim', 'dismiss', 'approve', 'warn', 'mute', 'ban', 'escalate', 'confirm', 'cancel', 'help',
] as const;
export type Command = (typeof COMMANDS)[number];

/** Where the key was pressed: a text field (or select), another control (button, link), or anywhere else. */
export type FocusKind = 'typing' | 'control' | 'none';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** Keys and what they do, in the order the help lists them. */
export const SHORTCUTS: ReadonlyArray<{ keys: readonly string[]; command: Command; label: string }> = [
  { keys: ['j', 'ArrowDown'], command: 'next', label: 'Next flag' },
  { keys: ['k', 'ArrowUp'], command: 'prev', label: 'Previous flag' },
  { keys: ['c'], command: 'claim', label: 'Claim (again: renew your claim)' },
  { keys: ['d'], command: 'dismiss', label: 'Dismiss' },
  { keys: ['a'], command: 'approve', label: 'Approve (deliver the held message)' },
  { keys: ['w'], command: 'warn', label: 'Warn' },
  { keys: ['m'], command: 'mute', label: 'Mute' },
  { keys: ['b'], command: 'ban', label: 'Ban' },
  { keys: ['e'], command: 'escalate', label: 'Escalate' },
  { keys: ['Enter'], command: 'confirm', label: 'Confirm the chosen action' },
  { keys: ['Escape'], command: 'cancel', label: 'Cancel / close' },
  { keys: ['?'], command: 'help', label: 'Show or hide this help' },
];

const BY_KEY = new Map<string, Command>(SHORTCUTS.flatMap((s) => s.keys.map((k) => [k, s.command] as const)));

/** The command for a key press, or null to leave the key to the browser. */
export function commandFor(press: KeyPress, focus: FocusKind): Command | null {
  // Browser and OS shortcuts (copy, reload, tab switching) are never taken over.
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  const command = BY_KEY.get(key) ?? null;
  // In a field only Escape means something (leave it / cancel); every other key is text.
  if (focus === 'typing') return command === 'cancel' ? command : null;
  // A focused button or link acts on Enter itself; confirming as well would act twice.
  if (focus === 'control' && command === 'confirm') return null;
  return command;
}

function focusKind(target: EventTarget | null): FocusKind {
  if (!(target instanceof HTMLElement)) return 'none';
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return 'typing';
  if (target instanceof HTMLInputElement) {
    return ['button', 'submit', 'reset', 'checkbox', 'radio'].includes(target.type) ? 'control' : 'typing';
  }
  return target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement || target.tagName === 'SUMMARY' ? 'control' : 'none';
}

/** Calls `run` for each shortcut pressed; `run` answers whether it used the key (then the browser's default is prevented). */
export function listenForShortcuts(run: (command: Command) => boolean): void {
  document.addEventListener('keydown', (e) => {
    if (e.repeat && !['next', 'prev'].includes(commandFor(e, 'none') ?? '')) return;
    const command = commandFor(e, focusKind(e.target));
    if (command && run(command)) e.preventDefault();
  });
}
