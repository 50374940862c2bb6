/**
 * The rule language at a glance, beside the editor: inputs, knobs with their hard bounds,
 * actions, conditions and rule fields, built from the shared definitions so it cannot
 * drift from what the validator accepts.
 */
import {
  COMPARISON_OPS, KNOB_BOUNDS, LOADOUTS, MODES, PLAYER_INPUTS, PLAYER_KNOBS, ROOM_INPUTS, ROOM_KNOBS, RULE_LIMITS,
  type KnobName,
} from '@pulse-arena/shared';
import { el } from './dom.js';
import { formatNumber } from './format.js';

/** What each knob does (the knob list is typed, so a new knob must be described here). */
const KNOB_HELP: Record<KnobName, string> = {
  spawnRate: 'enemies spawned per second while a wave builds up',
  enemySpeed: 'enemy movement speed, px/s',
  enemyDamage: 'damage per enemy hit, HP',
  enemyAccuracy: 'shooter aim, 0 (wild) to 1 (perfect)',
  pickupRate: 'pickups per minute, per player',
  waveSize: 'enemies in the first wave (later waves grow from it)',
  relaxSeconds: 'length of the calm phase between waves, s',
};

export function renderReference(root: HTMLElement): void {
  root.replaceChildren(
    el('h2', { text: 'Reference' }),
    section('Player inputs', true, [
      el('p', { className: 'muted', text: 'Rules with scope "player" (the default) run every second for every player.' }),
      terms(Object.entries(PLAYER_INPUTS)),
    ]),
    section('Room inputs', false, [
      el('p', { className: 'muted', text: 'Rules with "scope": "room" run every second once per room.' }),
      terms(Object.entries(ROOM_INPUTS)),
    ]),
    section('Knobs', true, [knobTable()]),
    section('Actions', false, [terms([
      ['{"knob": K, "set": v}', 'target value v, within the knob\'s bounds'],
      ['{"knob": K, "scale": f}', 'the mode\'s baseline × f, f from 0 to 10'],
      ['{"knob": K, "add": d}', 'the mode\'s baseline + d, |d| up to the knob\'s range'],
      ['{"recommend": "mode", "value": m}', `suggest a mode: ${MODES.join(', ')}`],
      ['{"recommend": "loadout", "value": l}', `suggest a loadout: ${LOADOUTS.join(', ')}`],
      ['{"recommend": "room"}', 'suggest another room'],
      ['{"recommend": "break"}', 'suggest a break'],
    ]), el('p', {
      className: 'muted',
      text: `Every recommend action may carry a "message" (at most ${RULE_LIMITS.message} characters). `
        + `Player rules act on ${PLAYER_KNOBS.join(', ')}; room rules on ${ROOM_KNOBS.join(', ')} and cannot recommend. `
        + `At most ${RULE_LIMITS.actions} actions per rule, one per knob.`,
    })]),
    section('Conditions', false, [terms([
      ['{"input": i, "op": o, "value": n}', `compare an input; op is one of ${COMPARISON_OPS.join(' ')}. A missing input makes it false.`],
      ['{"all": [c, …]}', 'every condition holds'],
      ['{"any": [c, …]}', 'at least one holds'],
      ['{"not": c}', 'the condition does not hold'],
    ]), el('p', {
      className: 'muted',
      text: `At most ${RULE_LIMITS.conditionDepth} levels deep and ${RULE_LIMITS.conditionNodes} parts per rule.`,
    })]),
    section('Rule fields', false, [terms([
      ['id', `required; lowercase letters, digits and dashes, at most ${RULE_LIMITS.id} characters, unique`],
      ['description', `optional, at most ${RULE_LIMITS.description} characters`],
      ['enabled', 'default true; a disabled rule is kept but never evaluated'],
      ['priority', 'integer 0–1000, default 0; the highest active rule decides a knob'],
      ['cooldownSeconds', '0–3600, default 30: minimum time between two activations'],
      ['holdSeconds', '0–3600, default 10: once active, the rule stays active at least this long'],
      ['scope', '"player" (default) or "room"'],
      ['when', 'the condition'],
      ['then', 'the actions, applied while the rule is active'],
    ]), el('p', { className: 'muted', text: `At most ${RULE_LIMITS.rules} rules in a set; "name" is required.` })]),
  );
}

function section(title: string, open: boolean, body: Node[]): HTMLDetailsElement {
  const details = el('details', { className: 'reference__section' }, [el('summary', { text: title }), ...body]);
  details.open = open;
  return details;
}

function terms(rows: Array<[string, string]>): HTMLDListElement {
  const dl = el('dl', { className: 'terms' });
  for (const [term, help] of rows) dl.append(el('dt', {}, [el('code', { text: term })]), el('dd', { text: help }));
  return dl;
}

function knobTable(): HTMLTableElement {
  const roomKnobs: readonly string[] = ROOM_KNOBS;
  const rows = (Object.keys(KNOB_HELP) as KnobName[]).map((knob) => {
    const b = KNOB_BOUNDS[knob];
    return el('tr', {}, [
      el('td', {}, [el('code', { text: knob })]),
      el('td', { text: roomKnobs.includes(knob) ? 'room' : 'player' }),
      el('td', { className: 'num', text: `${formatNumber(b.min)}–${formatNumber(b.max)}` }),
      el('td', { className: 'num', text: formatNumber(b.default) }),
      el('td', { className: 'muted', text: KNOB_HELP[knob] }),
    ]);
  });
  return el('table', { className: 'table table--compact' }, [
    el('thead', {}, [el('tr', {}, ['Knob', 'Scope', 'Bounds', 'Default', ''].map((h) => el('th', { text: h })))]),
    el('tbody', {}, rows),
  ]);
}
