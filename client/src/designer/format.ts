/** How numbers and times read in the console. */

const pad = (n: number) => String(n).padStart(2, '0');

/** Local `YYYY-MM-DD HH:MM:SS`: sortable and unambiguous in a table. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Value for a `datetime-local` input (local time, seconds precision). */
export function toLocalInput(d: Date): string {
  return formatTime(d.toISOString()).replace(' ', 'T');
}

/** Up to `digits` decimals, without trailing zeros ("0.5", "12", "3.14"). */
export function formatNumber(n: number, digits = 2): string {
  return Number.isFinite(n) ? String(Number(n.toFixed(digits))) : '—';
}

export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
