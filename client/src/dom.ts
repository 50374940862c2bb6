/** Looks up an element of the static page (index.html) and checks its type. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id}: expected ${type.name} in index.html`);
  return el;
}

/** Sets text only when it changed, so 20 Hz HUD updates do not thrash the DOM. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
