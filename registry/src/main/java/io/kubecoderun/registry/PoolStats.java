package io.kubecoderun.registry;

/**
 * One language's pool as the registry sees it now ({@code idle}, {@code leased}, {@code waiters}, {@code done}),
 * its counters since the registry's data began ({@code hits}, {@code waitHits}, {@code misses}, {@code offers},
 * {@code expired}), what the leading controller last reported ({@code target} and {@code starting}, -1 before any
 * report; {@code podsCreated}, {@code podsDeleted}, {@code coldStarts} summed over every report), and the lease
 * acquisition times the functions recorded ({@code acquire}).
 */
public record PoolStats(
        long idle,
        long leased,
        long waiters,
        long done,
        long hits,
        long waitHits,
        long misses,
        long offers,
        long expired,
        long target,
        long starting,
        long podsCreated,
        long podsDeleted,
        long coldStarts,
        AcquireTimes acquire) {}
