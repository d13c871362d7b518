/** One benchmark figure, as `npm run bench -- --out FILE` writes it. */
export interface BenchRow {
  name: string;
  unit: string;
  value: number;
  /** The figure this one is compared against in the same run, when there is one. */
  baseline?: string;
}

/**
 * Times `fn` in batches (single calls are below the timer's resolution) until the budget runs
 * out, after a warm-up, and reports per-call median and p99 of the batch means.
 */
export function measure(fn: () => unknown, opts: { batch: number; budgetMs: number; warmupMs?: number }): { medianNs: number; p99Ns: number; calls: number } {
  const warmEnd = performance.now() + (opts.warmupMs ?? 50);
  while (performance.now() < warmEnd) for (let i = 0; i < opts.batch; i++) fn();
  const samples: number[] = [];
  const end = performance.now() + opts.budgetMs;
  let calls = 0;
  while (performance.now() < end || samples.length < 20) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < opts.batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / opts.batch);
    calls += opts.batch;
    if (samples.length > 200_000) break;
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number;
  return { medianNs: at(0.5), p99Ns: at(0.99), calls };
}

/** Percentile of a list of numbers (sorted copy). */
export function percentile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}
