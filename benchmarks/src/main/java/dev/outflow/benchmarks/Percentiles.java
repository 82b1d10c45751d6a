package dev.outflow.benchmarks;

/** Nearest-rank percentiles of sorted samples. */
final class Percentiles {

    private Percentiles() {}

    /** The {@code percent}-th percentile of {@code sorted} (ascending), or 0 when there are none. */
    static long of(long[] sorted, double percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
}
