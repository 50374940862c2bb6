/**
 * The heads-up display around the arena (DOM, so text stays sharp at any canvas scale):
 * health, ammo, wave and pacing phase, score, the player's difficulty, the room's
 * knobs, the players list, the death overlay and the connection status.
 */
import {
  KNOB_NAMES, PLAYER_MAX_AMMO, PLAYER_MAX_HP, RESPAWN_TICKS, TICK_RATE, type ArenaStateView, type DifficultyKnobs,
  type DirectorMessage, type KnobName, type PlayerView, type ProfileMessage, type WavePhase,
} from '@pulse-arena/shared';
import type { ConnectionStatus } from '../net/arenaSession.js';
import { byId, setText } from '../dom.js';

const PHASE_LABEL: Record<WavePhase, string> = { build: 'Build-up', peak: 'Peak', relax: 'Relax' };

/** Every knob with a label and a unit; a knob added to shared/ fails to compile until listed here. */
const KNOB_DISPLAY: Record<KnobName, { label: string; format: (v: number) => string }> = {
  spawnRate: { label: 'Spawn rate', format: (v) => `${v.toFixed(1)}/s` },
  enemySpeed: { label: 'Enemy speed', format: (v) => `${Math.round(v)} px/s` },
  enemyDamage: { label: 'Enemy damage', format: (v) => `${Math.round(v)} HP` },
  enemyAccuracy: { label: 'Enemy accuracy', format: (v) => `${Math.round(v * 100)}%` },
  pickupRate: { label: 'Pickups', format: (v) => `${v.toFixed(1)}/min` },
  waveSize: { label: 'Wave size', format: (v) => `${Math.round(v)}` },
  relaxSeconds: { label: 'Relax time', format: (v) => `${v.toFixed(1)} s` },
};

const DIRECTION_MARK: Record<DirectorMessage['direction'], string> = { easier: ' ▼ easing off', harder: ' ▲ stepping up', same: '' };
const MODE_LABEL: Record<string, string> = { casual: 'Casual', standard: 'Standard', hardcore: 'Hardcore' };
const LOADOUT_LABEL: Record<string, string> = { blaster: 'Blaster', rapid: 'Rapid', heavy: 'Heavy' };

const CONNECTION_LABEL: Record<ConnectionStatus, string> = {
  open: 'Connected', reconnecting: 'Reconnecting…', moving: 'Moving…', closed: 'Disconnected',
};

const CONNECTION_TITLE: Record<ConnectionStatus, string> = {
  open: '', reconnecting: 'Connection lost: reconnecting…', moving: 'Server restarting: moving you to another one…', closed: 'Disconnected',
};

const percent = (v: number): string => `${Math.round(v * 100)}%`;

export class Hud {
  private readonly healthFill = byId('hud-health-fill', HTMLDivElement);
  private readonly healthText = byId('hud-health-text', HTMLSpanElement);
  private readonly ammo = byId('hud-ammo', HTMLSpanElement);
  private readonly power = byId('hud-power', HTMLSpanElement);
  private readonly wave = byId('hud-wave', HTMLSpanElement);
  private readonly enemies = byId('hud-enemies', HTMLSpanElement);
  private readonly score = byId('hud-score', HTMLSpanElement);
  private readonly difficulty = byId('hud-difficulty', HTMLSpanElement);
  private readonly why = byId('hud-why', HTMLParagraphElement);
  private readonly modeLine = byId('hud-mode', HTMLParagraphElement);
  private readonly style = byId('hud-style', HTMLSpanElement);
  private readonly playerList = byId('player-list', HTMLUListElement);
  private readonly knobList = byId('knob-list', HTMLDListElement);
  private readonly deathOverlay = byId('death-overlay', HTMLDivElement);
  private readonly deathCountdown = byId('death-countdown', HTMLParagraphElement);
  private readonly connectionBadge = byId('connection-badge', HTMLSpanElement);
  private readonly connectionOverlay = byId('connection-overlay', HTMLDivElement);
  private readonly connectionTitle = byId('connection-title', HTMLHeadingElement);
  private readonly backToMenu = byId('back-to-menu', HTMLButtonElement);
  /** Server tick at which the own player went down, to count down the respawn. */
  private deathTick: number | null = null;
  private playersSignature = '';
  private knobsSignature = '';
  /** The director's latest decision for this player: its direction marks the readout until the next one. */
  private directorDirection: DirectorMessage['direction'] = 'same';
  /** The "why" shown under the HUD, e.g. "Easing off: ease-struggling (style.novice 0.82)". */
  whyText = '';

  constructor(private readonly ownSessionId: string) {
    this.setConnection('open');
  }

  update(state: ArenaStateView): void {
    const own = state.players.get(this.ownSessionId);
    if (own) this.updateOwn(own, state.tick);
    setText(this.wave, state.wave === 0
      ? `First wave in ${Math.ceil(state.nextWaveIn)}s`
      : `Wave ${state.wave} · ${PHASE_LABEL[state.phase]}${state.phase === 'relax' ? ` · next in ${Math.ceil(state.nextWaveIn)}s` : ''}`);
    setText(this.enemies, `Enemies left ${state.enemiesLeft}`);
    this.updatePlayers(state);
    if (own) this.updateKnobs({ ...state.knobs, ...plainKnobs(own) });
  }

  /** A change of the own difficulty: the direction marks the readout, the reason shows below the HUD. */
  setDirector(message: DirectorMessage): void {
    this.directorDirection = message.direction;
    this.difficulty.dataset.direction = message.direction;
    const lead = message.direction === 'easier' ? 'Easing off' : message.direction === 'harder' ? 'Stepping up' : 'Adjusted';
    this.whyText = `${lead}: ${message.why} · rules v${message.ruleSetVersion}`;
    setText(this.why, `Why: ${this.whyText}`);
    this.why.hidden = false;
  }

  /** The behavior model's read of the own player, e.g. "Style: collector 81%". */
  setProfile(profile: ProfileMessage): void {
    setText(this.style, `Style: ${profile.style} ${percent(profile.confidence)}`);
    this.style.title = Object.entries(profile.probabilities)
      .sort(([, a], [, b]) => b - a)
      .map(([name, p]) => `${name} ${percent(p)}`)
      .join(' · ');
  }

  setConnection(status: ConnectionStatus): void {
    this.connectionBadge.dataset.status = status;
    setText(this.connectionBadge, CONNECTION_LABEL[status]);
    this.connectionOverlay.hidden = status === 'open';
    setText(this.connectionTitle, CONNECTION_TITLE[status]);
    this.backToMenu.hidden = status !== 'closed';
  }

  private updateOwn(own: PlayerView, tick: number): void {
    const hp = Math.max(0, Math.round(own.hp));
    this.healthFill.style.width = percent(hp / PLAYER_MAX_HP);
    setText(this.healthText, `HP ${hp}/${PLAYER_MAX_HP}`);
    setText(this.ammo, `Ammo ${own.ammo}/${PLAYER_MAX_AMMO}`);
    this.power.hidden = !own.powered;
    setText(this.score, `Score ${own.score} · Kills ${own.kills} · Deaths ${own.deaths}`);
    setText(this.difficulty, `Difficulty ${percent(own.difficulty)}${DIRECTION_MARK[this.directorDirection]}`);
    setText(this.modeLine, `${MODE_LABEL[own.mode] ?? own.mode} mode · ${LOADOUT_LABEL[own.loadout] ?? own.loadout}`);

    if (own.alive) this.deathTick = null;
    else this.deathTick ??= tick;
    this.deathOverlay.hidden = own.alive;
    if (this.deathTick !== null) {
      const seconds = Math.max(0, Math.ceil((RESPAWN_TICKS - (tick - this.deathTick)) / TICK_RATE));
      setText(this.deathCountdown, own.connected ? `Respawning in ${seconds}…` : 'Waiting to reconnect…');
    }
  }

  /** Rebuilt only when something shown changed: the list is tiny, the patches are not. */
  private updatePlayers(state: ArenaStateView): void {
    const rows: Array<[string, PlayerView]> = [];
    state.players.forEach((p, id) => rows.push([id, p]));
    rows.sort(([, a], [, b]) => b.score - a.score);
    const signature = rows.map(([id, p]) =>
      `${id}|${p.name}|${p.score}|${p.kills}|${p.alive}|${p.connected}|${Math.round(p.difficulty * 100)}`).join('\n');
    if (signature === this.playersSignature) return;
    this.playersSignature = signature;
    this.playerList.replaceChildren(...rows.map(([id, p]) => {
      const li = document.createElement('li');
      li.dataset.state = !p.connected ? 'away' : p.alive ? 'alive' : 'down';
      const name = document.createElement('span');
      name.className = 'player-list__name';
      name.dataset.self = String(id === this.ownSessionId);
      name.textContent = p.name;
      const meta = document.createElement('span');
      meta.className = 'player-list__meta';
      meta.textContent = `${p.score} pts · ${p.kills} K · ${percent(p.difficulty)}`;
      meta.title = 'score · kills · difficulty';
      li.append(name, meta);
      return li;
    }));
  }

  private updateKnobs(knobs: DifficultyKnobs): void {
    const entries = KNOB_NAMES.map((k) => [k, KNOB_DISPLAY[k].format(knobs[k])] as const);
    const signature = entries.map(([, v]) => v).join('|');
    if (signature === this.knobsSignature) return;
    this.knobsSignature = signature;
    this.knobList.replaceChildren(...entries.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = KNOB_DISPLAY[k].label;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }));
  }
}

/** The own player's knobs as plain numbers (schema instances carry more than the four fields). */
function plainKnobs(own: PlayerView): Pick<DifficultyKnobs, 'enemySpeed' | 'enemyDamage' | 'enemyAccuracy' | 'pickupRate'> {
  const k = own.knobs;
  return { enemySpeed: k.enemySpeed, enemyDamage: k.enemyDamage, enemyAccuracy: k.enemyAccuracy, pickupRate: k.pickupRate };
}
