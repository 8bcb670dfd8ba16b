// Summaries of measured samples, shared by the figures.

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
    if (sorted.length === 0) return NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Milliseconds rounded to the microsecond, for reports that stay readable. */
export const round = (ms: number) => Math.round(ms * 1000) / 1000;
