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

/** A `type="button"` button (never submits a form) with its text and click handler. */
export function button(text: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}
