/**
 * Line diff for comparing rule-set versions: a longest-common-subsequence table over the
 * lines between the common prefix and suffix (an edit usually touches a few lines of a
 * long file, so the table stays small), plus hunks with context for display.
 */

export type DiffLine =
  | { kind: 'same'; text: string; oldLine: number; newLine: number }
  | { kind: 'del'; text: string; oldLine: number }
  | { kind: 'add'; text: string; newLine: number };

/** Lines a hunk view leaves out between two changes. */
export interface DiffGap { kind: 'gap'; count: number }

/** Past this many table cells (about 64 MB), changed middles are shown as replaced whole. */
const MAX_CELLS = 16_000_000;

export function diffLines(oldLines: readonly string[], newLines: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < oldLines.length && start < newLines.length && oldLines[start] === newLines[start]) start++;
  let endOld = oldLines.length, endNew = newLines.length;
  while (endOld > start && endNew > start && oldLines[endOld - 1] === newLines[endNew - 1]) { endOld--; endNew--; }

  const out: DiffLine[] = [];
  const same = (i: number, j: number) => out.push({ kind: 'same', text: oldLines[i]!, oldLine: i + 1, newLine: j + 1 });
  const del = (i: number) => out.push({ kind: 'del', text: oldLines[i]!, oldLine: i + 1 });
  const add = (j: number) => out.push({ kind: 'add', text: newLines[j]!, newLine: j + 1 });

  for (let k = 0; k < start; k++) same(k, k);
  const n = endOld - start, m = endNew - start;
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endOld; i++) del(i);
    for (let j = start; j < endNew; j++) add(j);
  } else {
    // lcs[i * (m + 1) + j]: length of the LCS of the middles' suffixes from i and j.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = oldLines[start + i] === newLines[start + j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && oldLines[start + i] === newLines[start + j]) { same(start + i, start + j); i++; j++; }
      // Prefer deleting first, so a changed line reads "- old" then "+ new".
      else if (i < n && (j >= m || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) { del(start + i); i++; }
      else { add(start + j); j++; }
    }
  }
  for (let k = 0; endOld + k < oldLines.length; k++) same(endOld + k, endNew + k);
  return out;
}

/** The changes with `context` unchanged lines around each; longer unchanged runs become gaps. */
export function hunks(lines: readonly DiffLine[], context = 3): Array<DiffLine | DiffGap> {
  const keep = new Uint8Array(lines.length);
  lines.forEach((line, i) => {
    if (line.kind === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = 1;
  });
  const out: Array<DiffLine | DiffGap> = [];
  let skipped = 0;
  lines.forEach((line, i) => {
    if (!keep[i]) { skipped++; return; }
    if (skipped) out.push({ kind: 'gap', count: skipped });
    skipped = 0;
    out.push(line);
  });
  if (skipped) out.push({ kind: 'gap', count: skipped });
  return out;
}

export function countChanges(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0, removed = 0;
  for (const line of lines) {
    if (line.kind === 'add') added++;
    else if (line.kind === 'del') removed++;
  }
  return { added, removed };
}
