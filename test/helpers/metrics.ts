/** Reads Prometheus text (what `GET /metrics` serves) for tests and benchmarks. */

/** Series (name with its labels, exactly as printed) → value. */
export type Metrics = Map<string, number>;

export function parseMetrics(text: string): Metrics {
  const m: Metrics = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

/** `GET {url}/metrics`, parsed. */
export async function scrapeMetrics(url: string): Promise<Metrics> {
  return parseMetrics(await (await fetch(`${url}/metrics`)).text());
}
