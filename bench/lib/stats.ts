/** Load results and percentiles. Latencies in milliseconds. */

export interface LoadResult {
  /** Completed requests per second. */
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Transport errors, timeouts and non-2xx answers. */
  errors: number;
}

/** The q-quantile (0..1) of a list of numbers, by nearest rank. */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The best of several runs by throughput (noisy shared machines: the fastest run is the least disturbed). */
export function best(results: LoadResult[]): LoadResult {
  return results.reduce((a, b) => (b.rps > a.rps ? b : a));
}
