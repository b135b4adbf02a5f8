package io.kubecoderun.registry;

import java.util.Map;
import java.util.TreeMap;

/**
 * Lease acquisition times as a histogram of quarter-octave buckets of microseconds (each bucket about 19% wide),
 * small enough to keep in a Redis hash that every function replica adds to, and merged exactly across them.
 * Percentiles are the geometric middle of the bucket holding that rank: within about 10% of the true value.
 */
public record AcquireTimes(Map<Integer, Long> buckets) {
    /** Buckets above this (about 36 minutes) are folded into it. */
    static final int MAX_BUCKET = 125;

    public AcquireTimes {
        buckets = Map.copyOf(buckets);
    }

    public static AcquireTimes empty() {
        return new AcquireTimes(Map.of());
    }

    /** The bucket of a duration: 0 for up to 1 µs, then four per doubling. */
    public static int bucket(long nanos) {
        double micros = nanos / 1000.0;
        if (micros <= 1) {
            return 0;
        }
        return Math.min(MAX_BUCKET, (int) Math.floor(4 * Math.log(micros) / Math.log(2)) + 1);
    }

    public long count() {
        return buckets.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The {@code q}-quantile (0..1) in milliseconds; NaN without samples. */
    public double percentileMs(double q) {
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (Map.Entry<Integer, Long> e : new TreeMap<>(buckets).entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return middleMs(e.getKey());
            }
        }
        throw new IllegalStateException("unreachable: rank " + rank + " of " + total);
    }

    /** Geometric middle of a bucket: bucket b covers 2^((b-1)/4) .. 2^(b/4) µs. */
    static double middleMs(int bucket) {
        if (bucket == 0) {
            return 0.0005;
        }
        return Math.pow(2, (bucket - 0.5) / 4.0) / 1000.0;
    }
}
