package io.kubecoderun.controller.reconcile;

import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.registry.PoolStats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the controller counts, for {@code /metrics/pool} and Prometheus: per language the latest gauges, and
 * counters since start. Labels are bounded: a language or a deletion reason, never a pod or session.
 */
public final class PoolMetrics {
    public final AtomicLong podsCreated = new AtomicLong();
    public final AtomicLong leaseExpiries = new AtomicLong();
    public final AtomicLong registryRepairs = new AtomicLong();
    public final AtomicLong coldStarts = new AtomicLong();
    private final Map<String, AtomicLong> deletions = new ConcurrentHashMap<>();
    private final Map<String, Gauges> languages = new ConcurrentHashMap<>();
    /** Creation-to-offer times of the latest pods (a bounded ring), the refill time the pool sizing uses. */
    private final long[] refillMillis = new long[REFILL_SAMPLES];

    private int refillCount;
    private static final int REFILL_SAMPLES = 1024;

    /** One language's pool at the last reconcile. */
    public record Gauges(int target, long ready, long leased, long starting, long held, PoolStats registry) {}

    synchronized void refilled(long millis) {
        refillMillis[refillCount++ % REFILL_SAMPLES] = millis;
    }

    /** The recorded refill times, oldest first within the ring. */
    public synchronized long[] refillMillis() {
        int n = Math.min(refillCount, REFILL_SAMPLES);
        long[] out = new long[n];
        System.arraycopy(refillMillis, 0, out, 0, n);
        return out;
    }

    void deleted(String reason) {
        deletions.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    void observe(String language, int target, PoolStats stats, List<ObservedPod> pods, int held) {
        long starting = pods.stream()
                .filter(p -> p.phase() == ObservedPod.Phase.STARTING)
                .count();
        languages.put(language, new Gauges(target, stats.idle(), stats.leased(), starting, held, stats));
    }

    public Map<String, Gauges> languages() {
        return Map.copyOf(languages);
    }

    public Map<String, Long> deletionsByReason() {
        Map<String, Long> out = new java.util.TreeMap<>();
        deletions.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
