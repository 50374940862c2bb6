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

/**
 * Keeps one view per item in `container`, by key: created once, updated in place, removed
 * when its item is gone — so polling never rebuilds what is on screen (charts keep their
 * elements, a click is not lost).
 */
export function syncKeyed<T, V extends { root: HTMLElement }>(
  views: Map<string, V>, container: HTMLElement, items: readonly T[], key: (item: T) => string,
  create: (key: string) => V, update: (view: V, item: T) => void,
): void {
  const keys = new Set(items.map(key));
  for (const [k, view] of views) {
    if (keys.has(k)) continue;
    view.root.remove();
    views.delete(k);
  }
  for (const item of items) {
    const k = key(item);
    let view = views.get(k);
    if (!view) {
      view = create(k);
      views.set(k, view);
      container.append(view.root);
    }
    update(view, item);
  }
}
