// A benchmark row, as printed and written to bench/results/latest.json, and the statistics behind it.

const round = (value, digits) => (value === null || value === undefined ? null : Number(value.toFixed(digits)));

/**
 * `value` measured next to `baseline` in the same run; `ratio` is value / baseline; `pass` is the
 * target's verdict (null when not measured). `note` says how, or why a row was skipped.
 */
export function row({ benchmark, value, unit, baseline = null, target, pass, note, digits = 2 }) {
  const ratio = value !== null && baseline ? value / baseline : null;
  return {
    benchmark,
    value: round(value, digits),
    unit,
    baseline: round(baseline, digits),
    ratio: round(ratio, 3),
    target,
    pass: value === null ? null : typeof pass === 'function' ? pass(value, ratio) : pass,
    ...(note ? { note } : {}),
  };
}

/** A row that could not be measured on this machine, with the reason. */
export const skippedRow = (benchmark, unit, target, reason) =>
  row({ benchmark, value: null, unit, target, pass: null, note: `skipped: ${reason}` });

/** The p-th percentile (0..100) of unsorted samples. */
export function percentile(samples, p) {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The p-th percentile of a latency histogram { bucket: count } in 0.1 ms buckets. */
export function histogramPercentile(histogram, p) {
  const buckets = Object.entries(histogram)
    .map(([bucket, count]) => [Number(bucket), count])
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= (p / 100) * total) return (bucket + 1) / 10;
  }
  return buckets.at(-1)[0] / 10;
}

export function mergeHistograms(histograms) {
  const merged = {};
  for (const histogram of histograms)
    for (const [bucket, count] of Object.entries(histogram)) merged[bucket] = (merged[bucket] ?? 0) + count;
  return merged;
}

/**
 * Runs `once` (sync or async) `warmup` times, then times it up to `repeat` times or until `seconds`
 * have passed (at least `minimum` times). Returns { p50, p99, samples } in milliseconds.
 */
export async function latencies(once, { repeat, seconds, warmup = 5, minimum = 20 }) {
  for (let i = 0; i < warmup; i++) await once();
  const samples = [];
  const end = performance.now() + seconds * 1000;
  while (samples.length < repeat && (samples.length < minimum || performance.now() < end)) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
}
