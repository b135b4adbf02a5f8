package io.kubecoderun.core.registry;

/**
 * One language's pool as the registry sees it now ({@code idle}, {@code leased}, {@code waiters}, {@code done})
 * and its counters since the registry was created ({@code hits}, {@code waitHits}, {@code misses}, {@code offers},
 * {@code expired}).
 */
public record PoolStats(long idle, long leased, long waiters, long done, long hits, long waitHits, long misses,
                        long offers, long expired) {
}
