/**
 * Live rooms, refreshed every second while shown: per room its rule-set version, pacing
 * knobs and active rules; per player the behavior model's read and difficulty over the
 * last two minutes, their knobs and active rules. Cards are updated in place, keyed by
 * room and session, so the page does not jump while a designer reads it.
 */
import {
  STYLE_NAMES, type LivePlayer, type LiveRoom, type StyleName,
} from '@pulse-arena/shared';
import { renderLineChart } from '../charts/lineChart.js';
import { byId, setText } from '../dom.js';
import { api, errorMessage } from './api.js';
import { definitionList, el, ruleChips, syncKeyed } from './dom.js';
import { formatNumber, formatPercent } from './format.js';
import { Poller } from './poller.js';
import type { TabPanel } from './tabs.js';

const REFRESH_MS = 1000;

const STYLE_COLORS: Record<StyleName, string> = {
  aggressive: '#ff4d6d',
  evasive: '#facc15',
  collector: '#4ade80',
  novice: '#39d5ff',
  idle: '#8a96bd',
  inhuman: '#c084fc',
};

interface RoomCard {
  root: HTMLElement;
  title: HTMLElement;
  /** The room id, shown when the name does not already say it (unnamed rooms are "Arena <id>"). */
  id: HTMLElement;
  version: HTMLElement;
  phase: HTMLElement;
  details: HTMLElement;
  players: HTMLElement;
  playerCards: Map<string, PlayerCard>;
}

interface PlayerCard {
  root: HTMLElement;
  name: HTMLElement;
  meta: HTMLElement;
  styles: HTMLElement;
  difficulty: HTMLElement;
  details: HTMLElement;
}

export class LiveRoomsPanel implements TabPanel {
  private readonly status = byId('live-status', HTMLParagraphElement);
  private readonly container = byId('live-rooms', HTMLDivElement);
  private readonly cards = new Map<string, RoomCard>();
  private readonly poller = new Poller(REFRESH_MS, (signal) => this.refresh(signal), (err) => {
    this.status.dataset.tone = 'bad';
    setText(this.status, `Cannot load live rooms: ${errorMessage(err)} (retrying)`);
  });

  shown(): void {
    this.poller.start();
  }

  hidden(): void {
    this.poller.stop();
  }

  private async refresh(signal: AbortSignal): Promise<void> {
    const rooms = await api.live(signal);
    const players = rooms.reduce((n, r) => n + r.players.length, 0);
    this.status.dataset.tone = 'info';
    setText(this.status, rooms.length === 0
      ? 'No rooms are running right now.'
      : `${rooms.length} room${rooms.length === 1 ? '' : 's'}, ${players} player${players === 1 ? '' : 's'} · updated ${new Date().toLocaleTimeString()}`);
    syncKeyed(this.cards, this.container, rooms, (r) => r.roomId, roomCard, updateRoom);
  }
}

function roomCard(roomId: string): RoomCard {
  const title = el('h3', { className: 'room-card__title' });
  const version = el('span', { className: 'tag' });
  const phase = el('span', { className: 'muted' });
  const details = el('div', { className: 'room-card__details' });
  const players = el('div', { className: 'room-card__players' });
  const id = el('code', { className: 'muted', text: roomId });
  const root = el('article', { className: 'card room-card', data: { roomId } }, [
    el('header', { className: 'room-card__header' }, [title, version, phase, id]),
    details, players,
  ]);
  return { root, title, id, version, phase, details, players, playerCards: new Map() };
}

function updateRoom(card: RoomCard, room: LiveRoom): void {
  card.root.dataset.ruleSetVersion = String(room.ruleSetVersion);
  setText(card.title, room.roomName);
  card.id.hidden = room.roomName.includes(room.roomId);
  setText(card.version, `rules v${room.ruleSetVersion}`);
  setText(card.phase, `wave ${room.wave} · ${room.phase}`);
  card.details.replaceChildren(
    definitionList([
      ['spawn rate', `${formatNumber(room.knobs.spawnRate)} /s`],
      ['wave size', formatNumber(room.knobs.waveSize, 0)],
      ['relax', `${formatNumber(room.knobs.relaxSeconds, 1)} s`],
    ]),
    el('div', {}, [el('h4', { text: 'Active room rules' }), ruleChips(room.activeRules)]),
  );
  if (room.players.length === 0) card.players.dataset.empty = 'true';
  else delete card.players.dataset.empty;
  syncKeyed(card.playerCards, card.players, room.players, (p) => p.sessionId, playerCard, updatePlayer);
}

function playerCard(sessionId: string): PlayerCard {
  const name = el('strong', { className: 'player-card__name' });
  const meta = el('span', { className: 'muted' });
  const styles = el('div', { className: 'chart', data: { chart: 'live-styles' } });
  const difficulty = el('div', { className: 'chart', data: { chart: 'live-difficulty' } });
  const details = el('div', { className: 'player-card__details' });
  const root = el('section', { className: 'player-card', data: { sessionId } }, [
    el('header', { className: 'player-card__header' }, [name, meta]),
    el('div', { className: 'player-card__charts' }, [
      el('figure', {}, [el('figcaption', { text: 'Play style (behavior model)' }), styles]),
      el('figure', {}, [el('figcaption', { text: 'Difficulty' }), difficulty]),
    ]),
    details,
  ]);
  return { root, name, meta, styles, difficulty, details };
}

function updatePlayer(card: PlayerCard, p: LivePlayer): void {
  setText(card.name, p.name);
  const top = topStyle(p.probabilities);
  setText(card.meta, `${p.mode} · ${p.loadout} · difficulty ${formatNumber(p.difficulty)}${top ? ` · reads as ${top} ${formatPercent(p.probabilities[top] ?? 0)}` : ''}`);
  const xs = p.history.map((h) => h.t);
  const last = xs[xs.length - 1] ?? 0;
  const formatX = (t: number) => (t === last ? 'now' : `−${Math.round((last - t) / 1000)} s`);
  renderLineChart(card.styles, {
    label: `${p.name}: play-style probabilities over time`,
    xs,
    series: STYLE_NAMES.map((style) => ({
      name: style, color: STYLE_COLORS[style], values: p.history.map((h) => h.probabilities[style] ?? null),
    })),
    yMin: 0, yMax: 1, formatX, formatY: formatPercent,
  });
  renderLineChart(card.difficulty, {
    label: `${p.name}: difficulty over time`,
    xs,
    series: [{ name: 'difficulty', color: '#39d5ff', values: p.history.map((h) => h.difficulty) }],
    yMin: 0, yMax: 1, formatX, formatY: (v) => formatNumber(v),
  });
  card.details.replaceChildren(
    definitionList([
      ['enemy speed', `${formatNumber(p.knobs.enemySpeed, 0)} px/s`],
      ['enemy damage', `${formatNumber(p.knobs.enemyDamage, 1)} HP`],
      ['enemy accuracy', formatPercent(p.knobs.enemyAccuracy)],
      ['pickups', `${formatNumber(p.knobs.pickupRate, 1)} /min`],
    ]),
    el('div', {}, [el('h4', { text: 'Active rules' }), ruleChips(p.activeRules)]),
  );
}

function topStyle(probabilities: LivePlayer['probabilities']): StyleName | null {
  let best: StyleName | null = null;
  for (const style of STYLE_NAMES) {
    const p = probabilities[style];
    if (p !== undefined && (best === null || p > (probabilities[best] ?? 0))) best = style;
  }
  return best;
}
