/** The moderator console page (moderator.html): wires the session gate, the tabs, the queue with its detail, and the shortcuts. */
import '../styles.css';
import '../designer/designer.css';
import './moderator.css';
import { byId } from '../dom.js';
import { Tabs } from '../designer/tabs.js';
import { onAuthFailure } from './api.js';
import { AuditPanel } from './audit.js';
import { DetailPanel } from './detail.js';
import { ShortcutHelp } from './help.js';
import { PlayersPanel } from './players.js';
import { QueuePanel } from './queue.js';
import { SessionGate } from '../console/sessionGate.js';
import { listenForShortcuts, type Command } from './shortcuts.js';

const me = () => gate.session?.username ?? '';
const detail = new DetailPanel({
  me,
  applied: (flag) => queue.apply(flag),
  openPlayer: (playerId) => {
    tabs.show('players');
    void players.lookUp(playerId);
  },
});
const queue = new QueuePanel({
  selected: (flagId) => detail.show(flagId),
  changed: (flag) => detail.changed(flag),
});
const players = new PlayersPanel({ deleted: () => queue.refresh() });
const queuePanel = byId('panel-queue', HTMLElement);
// The queue stays live on every tab (its counts and the page title keep moving), so it needs no tab hooks.
const audit = new AuditPanel();
const tabs = new Tabs(byId('console-view', HTMLDivElement), { queue: {}, audit, players });
const help = new ShortcutHelp();

const gate = new SessionGate({
  open: (session) => {
    players.setRole(session.role === 'admin');
    queue.open(session.username);
    tabs.open();
  },
  close: () => {
    players.clear();
    audit.clear();
    queue.close();
    tabs.close();
    help.close();
  },
}, { name: 'moderator console', roles: ['moderator', 'admin'] });

/** Runs a shortcut; answers whether it did something (then the key's default is suppressed). */
function run(command: Command): boolean {
  if (command === 'help') {
    help.toggle();
    return true;
  }
  if (command === 'cancel') {
    if (help.isOpen) {
      help.close();
      return true;
    }
    const field = document.activeElement;
    if (field instanceof HTMLElement && field.matches('input, textarea, select')) field.blur();
    return detail.actions.cancel();
  }
  // Queue keys act only where the queue is on screen (and not behind the help).
  if (help.isOpen || queuePanel.hidden || byId('console-view', HTMLDivElement).hidden) return false;
  switch (command) {
    case 'next': queue.move(1); return true;
    case 'prev': queue.move(-1); return true;
    case 'claim': return detail.claim();
    case 'confirm': return detail.actions.confirm();
    default: return detail.actions.arm(command);
  }
}

listenForShortcuts(run);
onAuthFailure((status, message) => (status === 401 ? gate.expired() : gate.refused(message)));
void gate.start();
