/** Small DOM builders for the console. Text always goes in as textContent: rule ids, notes and player names come from other people. */

export interface ElementOptions {
  className?: string;
  text?: string;
  title?: string;
  /** `data-*` attributes, without the prefix (camelCase as in `dataset`). */
  data?: Record<string, string>;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, opts: ElementOptions = {}, children: Array<Node | string> = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.text !== undefined) node.textContent = opts.text;
  if (opts.title !== undefined) node.title = opts.title;
  for (const [k, v] of Object.entries(opts.data ?? {})) node.dataset[k] = v;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** A `<dl>` of label/value pairs (the game's `.knob-list` look). */
export function definitionList(rows: Array<[string, string]>, className = 'knob-list'): HTMLDListElement {
  const dl = el('dl', { className });
  for (const [k, v] of rows) dl.append(el('dt', { text: k }), el('dd', { text: v }));
  return dl;
}

/** Label/value pairs of a `.stats` list, each pair in its own box so it wraps as one. */
export function statPairs(rows: Array<[string, string]>): HTMLElement[] {
  return rows.map(([label, value]) => el('div', {}, [el('dt', { text: label }), el('dd', { text: value })]));
}

/** Rule ids as chips; an explicit "none" keeps the layout from jumping. */
export function ruleChips(ids: readonly string[]): HTMLElement {
  const box = el('div', { className: 'chips' });
  if (ids.length === 0) box.append(el('span', { className: 'muted', text: 'no active rules' }));
  for (const id of ids) box.append(el('span', { className: 'chip', text: id, data: { ruleId: id } }));
  return box;
}
